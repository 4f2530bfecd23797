import WebSocket, { RawData } from 'ws';

export type DialResult =
  { ok: true; ws: WebSocket } | { ok: false; error: string; status?: number };

/** The TwiML's public wss:// URL, redirected to the same path on the service's real address. */
export function mapStreamUrl(streamUrl: string, serviceUrl: string): string {
  const target = new URL(streamUrl);
  const service = new URL(serviceUrl);
  const scheme = service.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${service.host}${target.pathname}${target.search}`;
}

/** A frame's bytes as UTF-8 text. */
export function frameText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

/**
 * Opens the Media Streams WebSocket as Twilio does: `X-Twilio-Signature` (computed by the caller over
 * the wss:// URL from the TwiML, no parameters), no compression. Resolves with the open socket or why
 * the handshake failed (with the HTTP status when the service refused it).
 */
export function dialMediaStream(
  url: string,
  signature: string,
): Promise<DialResult> {
  const ws = new WebSocket(url, {
    headers: {
      'x-twilio-signature': signature,
      'user-agent': 'Twilio.TmeWs/1.0',
    },
    perMessageDeflate: false,
  });
  return new Promise((resolve) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve({
        ok: false,
        status: res.statusCode,
        error: `Handshake refused with HTTP ${res.statusCode}`,
      });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (error) => resolve({ ok: false, error: error.message }));
    ws.once('open', () => resolve({ ok: true, ws }));
  });
}
