import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { TWILIO_OPTIONS, TwilioOptions } from '../twilio.options';

interface Issued {
  callSid: string;
  expiresAt: number;
}

/**
 * One-time, short-lived tokens that bind a media stream to the call whose webhook we answered. The
 * token travels in a TwiML `<Parameter>` and comes back in `start.customParameters`.
 */
@Injectable()
export class StreamTokenService implements OnModuleDestroy {
  private readonly issued = new Map<string, Issued>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(@Inject(TWILIO_OPTIONS) private readonly options: TwilioOptions) {
    this.sweeper = setInterval(
      () => this.sweep(),
      Math.max(1000, options.streamTokenTtlMs),
    ).unref();
  }

  issue(callSid: string): string {
    const token = randomBytes(24).toString('base64url');
    this.issued.set(token, {
      callSid,
      expiresAt: Date.now() + this.options.streamTokenTtlMs,
    });
    return token;
  }

  /** True once for a live token issued for `callSid`; the token is spent either way. */
  consume(token: string | undefined, callSid: string): boolean {
    if (!token) return false;
    const entry = this.issued.get(token);
    if (!entry) return false;
    this.issued.delete(token);
    return entry.callSid === callSid && entry.expiresAt >= Date.now();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, entry] of this.issued)
      if (entry.expiresAt < now) this.issued.delete(token);
  }
}
