import { Inject, Injectable } from '@nestjs/common';
import twilio from 'twilio';
import {
  MEDIA_STREAM_PATH,
  TWILIO_OPTIONS,
  TwilioOptions,
} from '../twilio.options';

/** The parts of an HTTP request a webhook signature covers (an Express request is one). */
export interface TwilioWebhookRequest {
  /** Path and query as received (Express `req.originalUrl`). */
  originalUrl: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed form body (Express's urlencoded parser), if any. */
  body?: unknown;
}

/**
 * Checks X-Twilio-Signature with the twilio package. The URL is always the configured public one
 * (WEBHOOK_BASE_URL + path), never one rebuilt from the Host header, which proxies rewrite.
 */
@Injectable()
export class TwilioSignatureVerifier {
  /** Verdicts per request object: gone with the request, computed once however often asked. */
  private readonly verdicts = new WeakMap<TwilioWebhookRequest, boolean>();

  constructor(
    @Inject(TWILIO_OPTIONS) private readonly options: TwilioOptions,
  ) {}

  /** Why signed Twilio traffic cannot be accepted at all, or undefined when it can. */
  get disabledReason(): string | undefined {
    if (!this.options.authToken || !this.options.webhookBaseUrl) {
      return 'Twilio endpoints are disabled: set TWILIO_AUTH_TOKEN and WEBHOOK_BASE_URL';
    }
    return undefined;
  }

  /** The stream URL Twilio is told to open, and signs the handshake over. */
  get streamUrl(): string {
    const base = this.options.webhookBaseUrl ?? 'https://localhost';
    return base.replace(/^http/, 'ws') + MEDIA_STREAM_PATH;
  }

  /**
   * The URL a webhook's signature is checked against: WEBHOOK_BASE_URL + the path and query as
   * received. Twilio signs the URL it called: a mismatch almost always means this differs from it (a
   * wrong WEBHOOK_BASE_URL), else TWILIO_AUTH_TOKEN is not the calling account's.
   */
  signedUrl(pathAndQuery: string): string {
    return (this.options.webhookBaseUrl ?? '') + pathAndQuery;
  }

  /** A form-encoded webhook: `pathAndQuery` as received (req.originalUrl), `params` the parsed body. */
  verifyWebhook(
    signature: string | undefined,
    pathAndQuery: string,
    params: Record<string, unknown>,
  ): boolean {
    const { authToken, webhookBaseUrl } = this.options;
    if (!signature || !authToken || !webhookBaseUrl) return false;
    return twilio.validateRequest(
      authToken,
      signature,
      this.signedUrl(pathAndQuery),
      params,
    );
  }

  /**
   * Whether this webhook request is correctly signed by Twilio (see `verifyWebhook`). The verdict is
   * kept per request, so a rate limiter that asks before TwilioSignatureGuard does costs no second
   * HMAC.
   */
  verifyRequest(request: TwilioWebhookRequest): boolean {
    const known = this.verdicts.get(request);
    if (known !== undefined) return known;
    const signature = request.headers['x-twilio-signature'];
    const verdict = this.verifyWebhook(
      typeof signature === 'string' ? signature : undefined,
      request.originalUrl,
      (request.body ?? {}) as Record<string, unknown>,
    );
    this.verdicts.set(request, verdict);
    return verdict;
  }

  /** The Media Stream handshake, signed over the wss:// URL with no parameters. */
  verifyStream(signature: string | undefined): boolean {
    const { authToken } = this.options;
    if (!signature || !authToken || !this.options.webhookBaseUrl) return false;
    return twilio.validateRequest(authToken, signature, this.streamUrl, {});
  }
}
