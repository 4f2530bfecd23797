import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TWILIO_OPTIONS, TwilioOptions } from '../twilio.options';

/**
 * One-time, short-lived tokens that bind a media stream to the call whose webhook we answered. The
 * token travels in a TwiML `<Parameter>` and comes back in `start.customParameters`.
 *
 * Tokens are signed (HMAC-SHA256 over callSid, expiry and a nonce, with a key derived from
 * TWILIO_AUTH_TOKEN), so any instance behind the load balancer can check a token another issued. Each
 * instance also remembers the nonces it has accepted until they expire, so a token works once; a
 * second stream for the same call on another instance is refused by the registry's stream claim.
 */
@Injectable()
export class StreamTokenService implements OnModuleDestroy {
  private readonly key: Buffer;
  private readonly spent = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(@Inject(TWILIO_OPTIONS) private readonly options: TwilioOptions) {
    this.key = options.authToken
      ? createHmac('sha256', options.authToken)
          .update('media-stream-token')
          .digest()
      : randomBytes(32);
    this.sweeper = setInterval(
      () => this.sweep(),
      Math.max(1000, options.streamTokenTtlMs),
    );
    this.sweeper.unref();
  }

  issue(callSid: string): string {
    const expires = (Date.now() + this.options.streamTokenTtlMs).toString(36);
    const nonce = randomBytes(12).toString('base64url');
    return `${expires}.${nonce}.${this.mac(callSid, expires, nonce)}`;
  }

  /** True once for an unexpired token issued for `callSid`. */
  consume(token: string | undefined, callSid: string): boolean {
    const [expires, nonce, mac, extra] = token?.split('.') ?? [];
    if (!expires || !nonce || !mac || extra !== undefined) return false;
    const expiresAt = parseInt(expires, 36);
    if (!(expiresAt >= Date.now())) return false;
    const expected = Buffer.from(this.mac(callSid, expires, nonce));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return false;
    if (this.spent.has(nonce)) return false;
    this.spent.set(nonce, expiresAt);
    return true;
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private mac(callSid: string, expires: string, nonce: string): string {
    return createHmac('sha256', this.key)
      .update(`${callSid}.${expires}.${nonce}`)
      .digest('base64url');
  }

  private sweep(): void {
    const now = Date.now();
    for (const [nonce, expiresAt] of this.spent)
      if (expiresAt < now) this.spent.delete(nonce);
  }
}
