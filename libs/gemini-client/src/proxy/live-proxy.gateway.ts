import { Logger } from '@nestjs/common';
import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { GeminiConnector } from '../upstream/gemini-connector';
import { LiveTokenService, type LiveTokenVerdict } from './live-token.service';

/** Path prefix of the browser proxy; the SDK appends `/ws/google.ai…BidiGenerateContent`. */
export const LIVE_PROXY_PATH = '/live';
/** Browser sessions this instance carries at once. */
export const MAX_PROXY_SESSIONS = 100;
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** How a refused token's session is closed, by verdict. */
const REFUSALS: Record<
  Exclude<LiveTokenVerdict, 'accepted'>,
  { code: number; reason: string }
> = {
  invalid: { code: 1008, reason: 'invalid, expired or reused token' },
  reused: { code: 1008, reason: 'invalid, expired or reused token' },
  'ledger-unavailable': {
    code: 1013,
    reason:
      'token could not be checked (token store unreachable); try again later',
  },
};

/** Close codes a peer may send on the wire (1005/1006/1015 are reserved for local use). */
function sendable(code: number): number {
  return code === 1005 || code === 1006 || code === 1015 ? 1011 : code;
}

/**
 * `WS /live/…`: the browser path to Gemini Live. The browser (e.g. the official @google/genai SDK
 * with `httpOptions.baseUrl = https://<host>/live`) authenticates with a service-minted ephemeral token
 * as `key` (or `access_token`); the service connects upstream with its own credentials through the
 * same GeminiConnector as the phone path, and forwards messages both ways as they are — upstream
 * binary frames re-sent as text — passing close codes and reasons through.
 *
 * A token is checked (signature, expiry) at once, then spent in the shared ledger (one session per
 * token across instances); messages the browser sends meanwhile are kept and forwarded once
 * upstream is open. Refused: 1008 (invalid, expired or reused) or 1013 (ledger unreachable: fail
 * closed), and nothing reaches Google.
 */
@WebSocketGateway({
  path: LIVE_PROXY_PATH,
  maxPayload: MAX_MESSAGE_BYTES,
  perMessageDeflate: false,
})
export class LiveProxyGateway implements OnGatewayConnection<WebSocket> {
  private readonly logger = new Logger(LiveProxyGateway.name);
  private sessions = 0;

  constructor(
    private readonly tokens: LiveTokenService,
    private readonly connector: GeminiConnector,
  ) {}

  handleConnection(browser: WebSocket, request: IncomingMessage): void {
    const query = new URL(request.url ?? '/', 'http://proxy').searchParams;
    const token = query.get('key') ?? query.get('access_token');
    const verified = this.tokens.verify(token);
    if (!verified) {
      browser.close(REFUSALS.invalid.code, REFUSALS.invalid.reason);
      return;
    }
    if (this.sessions >= MAX_PROXY_SESSIONS) {
      browser.close(1013, 'too many browser sessions; try again later');
      return;
    }
    this.sessions++;
    void this.bridge(browser, this.tokens.spend(verified));
  }

  /** `spent`: the token's verdict from the ledger (never rejects); the session waits for it. */
  private async bridge(
    browser: WebSocket,
    spent: Promise<LiveTokenVerdict>,
  ): Promise<void> {
    const early: Array<{ data: Buffer; binary: boolean }> = [];
    let upstream: WebSocket | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      this.sessions--;
    };
    browser.on('message', (data: Buffer, binary: boolean) => {
      if (upstream?.readyState === WebSocket.OPEN)
        upstream.send(data, { binary });
      else early.push({ data, binary });
    });
    browser.on('close', (code: number, reason: Buffer) => {
      finish();
      if (upstream && upstream.readyState <= WebSocket.OPEN)
        upstream.close(sendable(code), reason.toString());
    });
    browser.on('error', () => undefined);
    const verdict = await spent;
    if (verdict !== 'accepted') {
      finish();
      const { code, reason } = REFUSALS[verdict];
      if (browser.readyState === WebSocket.OPEN) browser.close(code, reason);
      return;
    }
    // The browser left while its token was being spent (its close handler finished the session).
    if (browser.readyState !== WebSocket.OPEN) return;
    try {
      upstream = await this.connector.connect();
    } catch (err) {
      finish();
      // The reason is fixed: the upstream's error (a token endpoint's reply) stays in the logs, which
      // strip credentials, and never reaches the browser.
      this.logger.warn({
        msg: 'Live proxy could not connect upstream',
        err: (err as Error).message,
      });
      browser.close(1011, 'upstream unavailable');
      return;
    }
    if (browser.readyState !== WebSocket.OPEN) {
      upstream.terminate();
      return;
    }
    const socket = upstream;
    socket.on('open', () =>
      early
        .splice(0)
        .forEach(({ data, binary }) => socket.send(data, { binary })),
    );
    // Google often sends UTF-8 JSON in binary frames; browsers get text.
    socket.on('message', (data: Buffer) => browser.send(data.toString('utf8')));
    socket.on('close', (code: number, reason: Buffer) => {
      finish();
      if (browser.readyState === WebSocket.OPEN)
        browser.close(sendable(code), reason.toString().slice(0, 120));
    });
    socket.on('error', (err) =>
      this.logger.warn({ msg: 'Live proxy upstream error', err: err.message }),
    );
  }
}
