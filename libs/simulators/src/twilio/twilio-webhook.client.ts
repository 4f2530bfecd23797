import { getExpectedTwilioSignature } from 'twilio';
import { CallIdentity } from './stream-message.factory';
import { WebhookResponse } from './twilio-call.types';

/** The form fields Twilio sends with every voice webhook of an inbound call. */
export function callParams(
  call: CallIdentity,
  status: string,
): Record<string, string> {
  return {
    AccountSid: call.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: call.callSid,
    CallStatus: status,
    Called: call.to,
    Caller: call.from,
    Direction: 'inbound',
    From: call.from,
    To: call.to,
  };
}

/** A status callback's fields; completed calls carry their duration. */
export function statusParams(
  call: CallIdentity,
  status: string,
  sequence: number,
  durationSeconds: number,
): Record<string, string> {
  const params: Record<string, string> = {
    ...callParams(call, status),
    CallbackSource: 'call-progress-events',
    SequenceNumber: String(sequence),
    // RFC 2822, as Twilio formats it.
    Timestamp: new Date().toUTCString().replace('GMT', '+0000'),
  };
  if (status === 'completed') {
    params.CallDuration = String(durationSeconds);
    params.Duration = String(Math.ceil(durationSeconds / 60));
  }
  return params;
}

/** Joins a base URL and a path without doubling the slash. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

/**
 * Posts form-encoded webhooks the way Twilio does: to the service's real address, signed with
 * `X-Twilio-Signature` over the public URL Twilio believes it is calling plus the sorted parameters.
 */
export class TwilioWebhookClient {
  constructor(
    private readonly serviceUrl: string,
    private readonly publicUrl: string,
    private readonly authToken: string,
  ) {}

  /** The signature Twilio would send for `path` (query included) with these parameters. */
  sign(path: string, params: Record<string, string>): string {
    return getExpectedTwilioSignature(
      this.authToken,
      joinUrl(this.publicUrl, path),
      params,
    );
  }

  /** POSTs `params`; `signature` overrides the computed one (negative tests). */
  async post(
    path: string,
    params: Record<string, string>,
    signature = this.sign(path, params),
  ): Promise<WebhookResponse> {
    const response = await fetch(joinUrl(this.serviceUrl, path), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'x-twilio-signature': signature,
        'user-agent': 'TwilioProxy/1.1',
        accept: '*/*',
      },
      body: new URLSearchParams(params).toString(),
    });
    return {
      status: response.status,
      body: await response.text(),
      contentType: response.headers.get('content-type') ?? '',
    };
  }
}
