import { Injectable } from '@nestjs/common';

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Aborts the request (the attempt's time limit). */
  signal: AbortSignal;
}

export interface WebhookResponse {
  status: number;
}

/**
 * The HTTP edge of the call-summary webhook: one POST, no retries (the notifier decides those).
 * Rejects on network errors and timeouts; any HTTP status resolves. Tests can hand in a fake.
 */
@Injectable()
export class WebhookSender {
  async post(request: WebhookRequest): Promise<WebhookResponse> {
    const response = await fetch(request.url, {
      method: 'POST',
      body: request.body,
      headers: request.headers,
      signal: request.signal,
      // A redirect would re-send (or drop) a signed transcript somewhere else: report it instead.
      redirect: 'manual',
    });
    // The receiver's reply is not used: release the connection without reading it.
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status };
  }
}
