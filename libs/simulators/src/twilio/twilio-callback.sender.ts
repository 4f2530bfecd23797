import { getExpectedTwilioSignature } from 'twilio';
import type { CallbackRecord } from './fake-twilio-api.types';

/**
 * Twilio's outgoing requests for the fake REST API: status callbacks, AMD callbacks, TwiML fetches.
 * Each is signed as Twilio signs (`X-Twilio-Signature` = HMAC-SHA1 over the public URL plus the sorted
 * POST fields, https://www.twilio.com/docs/usage/security#validating-requests; a GET carries its fields
 * in the query and signs the URL alone) and sent to where the service really listens: the public URL's
 * path and query on `serviceUrl()` (the public origin is usually WEBHOOK_BASE_URL, which no test owns).
 */
export class TwilioCallbackSender {
  constructor(
    private readonly authToken: string,
    private readonly serviceUrl: () => string | undefined,
    /** ms since the fake started, for the records. */
    private readonly elapsedMs: () => number,
    /** A request that could not be made (the service is down): recorded, never thrown. */
    private readonly fault: (what: string, err: unknown) => void,
  ) {}

  /** Sends one signed request; resolves its record (status 0 when the service could not be reached). */
  async send(
    kind: CallbackRecord['kind'],
    url: string,
    params: Record<string, string>,
    method = 'POST',
  ): Promise<CallbackRecord> {
    const get = method.toUpperCase() === 'GET';
    const query = new URLSearchParams(params).toString();
    const signedUrl = get
      ? `${url}${url.includes('?') ? '&' : '?'}${query}`
      : url;
    const signature = getExpectedTwilioSignature(
      this.authToken,
      signedUrl,
      get ? {} : params,
    );
    const record: CallbackRecord = {
      kind,
      url,
      params,
      status: 0,
      body: '',
      atMs: this.elapsedMs(),
    };
    const headers: Record<string, string> = {
      'x-twilio-signature': signature,
      'user-agent': 'TwilioProxy/1.1',
    };
    if (!get)
      headers['content-type'] =
        'application/x-www-form-urlencoded; charset=utf-8';
    try {
      const response = await fetch(this.mapUrl(signedUrl), {
        method: get ? 'GET' : 'POST',
        headers,
        body: get ? undefined : query,
      });
      record.status = response.status;
      record.body = await response.text();
    } catch (err) {
      this.fault(`${kind} ${url}`, err);
    }
    return record;
  }

  /** A public URL, redirected to the service's real address (unchanged when none is set). */
  mapUrl(url: string): string {
    const service = this.serviceUrl();
    if (!service) return url;
    const target = new URL(url);
    return `${service.replace(/\/+$/, '')}${target.pathname}${target.search}`;
  }
}
