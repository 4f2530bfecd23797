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

/** Ends calls at Twilio (REST `Status=completed`) when credentials are configured. */
@Injectable()
export class TwilioCallControl implements CallHangup {
  private readonly logger = new Logger(TwilioCallControl.name);
  private client?: ReturnType<typeof twilio>;

  constructor(
    @Inject(TWILIO_REST_OPTIONS) private readonly options: TwilioRestOptions,
  ) {}

  async hangUp(callSid: string): Promise<void> {
    const { accountSid, authToken } = this.options;
    if (!accountSid || !authToken) return;
    this.client ??= twilio(accountSid, authToken, {
      httpClient: this.options.apiBaseUrl
        ? new RebasedRequestClient(this.options.apiBaseUrl)
        : undefined,
    });
    try {
      await this.client.calls(callSid).update({ status: 'completed' });
    } catch (err) {
      // 404: the call already ended, which is what we wanted.
      if ((err as { status?: number }).status === 404) return;
      this.logger.warn({ callSid, err, msg: 'Twilio REST hang-up failed' });
    }
  }
}
