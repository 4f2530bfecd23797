import { CallHangup } from '@app/call-manager';
import { Inject, Injectable, Logger } from '@nestjs/common';
import twilio from 'twilio';
import { RebasedRequestClient } from './rebased-request-client';

export interface TwilioRestOptions {
  accountSid?: string;
  authToken?: string;
  /** Overrides Twilio's REST origin (TWILIO_API_BASE_URL): a fake Twilio API in tests. */
  apiBaseUrl?: string;
}

export const TWILIO_REST_OPTIONS = 'TWILIO_REST_OPTIONS';

/** Why a live call could not be redirected (no credentials, or Twilio's REST error). */
export class CallRedirectError extends Error {}

/**
 * Ends calls at Twilio (REST `Status=completed`) and redirects live ones to new TwiML (a transfer),
 * when credentials are configured (PROTOCOLS.md "Twilio call control (REST)").
 */
@Injectable()
export class TwilioCallControl implements CallHangup {
  private readonly logger = new Logger(TwilioCallControl.name);
  private client?: ReturnType<typeof twilio>;

  constructor(
    @Inject(TWILIO_REST_OPTIONS) private readonly options: TwilioRestOptions,
  ) {}

  /** True when calls can be hung up and redirected here (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN). */
  get configured(): boolean {
    return Boolean(this.options.accountSid && this.options.authToken);
  }

  /**
   * Redirects a live call to `twiml` (REST update `Twiml=`): Twilio stops its media stream and runs
   * the new TwiML. Throws CallRedirectError with a reason when not configured or Twilio refuses.
   */
  async redirect(callSid: string, twiml: string): Promise<void> {
    const client = this.rest();
    if (!client)
      throw new CallRedirectError(
        'Twilio REST credentials are not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)',
      );
    try {
      await client.calls(callSid).update({ twiml });
    } catch (err) {
      const { status, code, message } = err as {
        status?: number;
        code?: number;
        message?: string;
      };
      throw new CallRedirectError(
        `Twilio refused the redirect (HTTP ${status ?? '?'}, code ${code ?? '?'}): ${message ?? String(err)}`,
      );
    }
  }

  async hangUp(callSid: string): Promise<void> {
    const client = this.rest();
    if (!client) return;
    try {
      await client.calls(callSid).update({ status: 'completed' });
    } catch (err) {
      // 404: the call already ended, which is what we wanted.
      if ((err as { status?: number }).status === 404) return;
      this.logger.warn({ callSid, err, msg: 'Twilio REST hang-up failed' });
    }
  }

  private rest(): ReturnType<typeof twilio> | undefined {
    const { accountSid, authToken } = this.options;
    if (!accountSid || !authToken) return undefined;
    this.client ??= twilio(accountSid, authToken, {
      httpClient: this.options.apiBaseUrl
        ? new RebasedRequestClient(this.options.apiBaseUrl)
        : undefined,
    });
    return this.client;
  }
}
