import { Inject, Injectable, Logger } from '@nestjs/common';
import twilio from 'twilio';
import { RebasedRequestClient } from './rebased-request-client';
import { TWILIO_REST_OPTIONS, TwilioRestOptions } from './twilio-call-control';

/** Longest wait for Twilio's answer to a create (ms): an admin is waiting on `POST /calls`. */
const CREATE_TIMEOUT_MS = 10_000;
/** Longest Twilio error message passed on (characters). */
const MESSAGE_MAX = 300;

/**
 * What one outbound call is created with (Twilio REST `POST /2010-04-01/Accounts/{AccountSid}/Calls.json`,
 * https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource). Every URL is a public
 * one Twilio can reach (WEBHOOK_BASE_URL + path).
 */
export interface OutboundCallRequest {
  /** E.164 number or `sip:` URI. */
  to: string;
  /** A Twilio number (or verified caller ID) of this account, E.164. */
  from: string;
  /** The TwiML run once the call is answered (`Twiml`). */
  twiml: string;
  /** `StatusCallback` (POST), asked for initiated, ringing, answered and completed. */
  statusCallback: string;
  /** `AsyncAmdStatusCallback` (POST): where the answering-machine verdict goes. */
  amdStatusCallback: string;
  /** `Timeout`: how long to let it ring before giving up (seconds, Twilio allows 5–600). */
  ringTimeoutSeconds: number;
}

/** Why a create failed, for the HTTP answer: never carries credentials. */
export type TwilioDialFailure =
  /** TWILIO_ACCOUNT_SID or TWILIO_AUTH_TOKEN unset. */
  | 'not-configured'
  /** Twilio refused the call as asked (4xx: a number it will not dial, a From it does not own…). */
  | 'refused'
  /** Twilio refused our credentials (401/403). */
  | 'unauthorized'
  /** Twilio is rate limiting this account (429). */
  | 'rate-limited'
  /** No usable answer: network error, timeout, 5xx. */
  | 'unreachable';

/** A create that did not produce a call; `message` is safe to show an admin. */
export class TwilioDialError extends Error {
  constructor(
    readonly failure: TwilioDialFailure,
    message: string,
    /** Twilio's HTTP status, when it answered. */
    readonly status?: number,
    /** Twilio's error code (https://www.twilio.com/docs/api/errors), when it gave one. */
    readonly code?: number,
  ) {
    super(message);
    this.name = 'TwilioDialError';
  }
}

/**
 * Places outbound calls over Twilio's REST API with twilio-node (TWILIO_API_BASE_URL rebases it onto a
 * fake Twilio API): answering-machine detection asynchronous (`MachineDetection=DetectMessageEnd`,
 * `AsyncAmd=true`), so the TwiML runs as soon as the call is answered while detection goes on, and
 * the verdict arrives later at `AsyncAmdStatusCallback`.
 */
@Injectable()
export class TwilioOutboundDialer {
  private readonly logger = new Logger(TwilioOutboundDialer.name);
  private client?: ReturnType<typeof twilio>;

  constructor(
    @Inject(TWILIO_REST_OPTIONS) private readonly options: TwilioRestOptions,
  ) {}

  /** Why calls cannot be placed at all (credentials unset), or undefined when they can. */
  get disabledReason(): string | undefined {
    const { accountSid, authToken } = this.options;
    return accountSid && authToken
      ? undefined
      : 'Outbound calls are disabled: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN';
  }

  /**
   * Creates the call; resolves its CallSid (and Twilio's status, `queued`). Rejects with a
   * TwilioDialError whose message names Twilio's code and reason, scrubbed of credentials.
   */
  async dial(
    request: OutboundCallRequest,
  ): Promise<{ callSid: string; status: string }> {
    const disabled = this.disabledReason;
    if (disabled) throw new TwilioDialError('not-configured', disabled);
    this.client ??= twilio(this.options.accountSid, this.options.authToken, {
      timeout: CREATE_TIMEOUT_MS,
      httpClient: this.options.apiBaseUrl
        ? new RebasedRequestClient(this.options.apiBaseUrl, {
            timeout: CREATE_TIMEOUT_MS,
          })
        : undefined,
    });
    try {
      const call = await this.client.calls.create({
        to: request.to,
        from: request.from,
        twiml: request.twiml,
        timeout: request.ringTimeoutSeconds,
        statusCallback: request.statusCallback,
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        machineDetection: 'DetectMessageEnd',
        asyncAmd: 'true',
        asyncAmdStatusCallback: request.amdStatusCallback,
        asyncAmdStatusCallbackMethod: 'POST',
      });
      return { callSid: call.sid, status: call.status };
    } catch (err) {
      const failure = this.explain(err);
      this.logger.warn({
        msg: 'Twilio refused an outbound call',
        failure: failure.failure,
        status: failure.status,
        code: failure.code,
        reason: failure.message,
      });
      throw failure;
    }
  }

  /** twilio-node's RestException (status, code, message) or a network error, as a TwilioDialError. */
  private explain(err: unknown): TwilioDialError {
    const { status, code, message } = (err ?? {}) as {
      status?: unknown;
      code?: unknown;
      message?: unknown;
    };
    const httpStatus = typeof status === 'number' ? status : undefined;
    const twilioCode = typeof code === 'number' ? code : undefined;
    const reason = this.scrub(typeof message === 'string' ? message : '');
    const said = `${reason || 'no reason given'}${twilioCode ? ` (Twilio error ${twilioCode})` : ''}`;
    if (httpStatus === 401 || httpStatus === 403) {
      return new TwilioDialError(
        'unauthorized',
        `Twilio rejected the service's credentials: ${said}. Check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN`,
        httpStatus,
        twilioCode,
      );
    }
    if (httpStatus === 429) {
      return new TwilioDialError(
        'rate-limited',
        `Twilio is rate limiting calls: ${said}`,
        httpStatus,
        twilioCode,
      );
    }
    if (httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500) {
      return new TwilioDialError(
        'refused',
        `Twilio refused the call: ${said}`,
        httpStatus,
        twilioCode,
      );
    }
    return new TwilioDialError(
      'unreachable',
      httpStatus === undefined
        ? 'Twilio could not be reached to place the call'
        : `Twilio failed to place the call: ${said}`,
      httpStatus,
      twilioCode,
    );
  }

  /** Twilio's text without the account's credentials, on one short line. */
  private scrub(text: string): string {
    let safe = text.replace(/\s+/g, ' ').trim();
    for (const secret of [this.options.authToken, this.options.accountSid]) {
      if (secret) safe = safe.split(secret).join('[redacted]');
    }
    safe = safe.replace(/\b(Basic|Bearer)\s+\S+/gi, '$1 [redacted]');
    return safe.length > MESSAGE_MAX
      ? `${safe.slice(0, MESSAGE_MAX - 3)}...`
      : safe;
  }
}
