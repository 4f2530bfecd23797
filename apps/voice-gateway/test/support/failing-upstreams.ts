import {
  createServer,
  IncomingHttpHeaders,
  IncomingMessage,
  ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/** One request (or WebSocket upgrade) a fake upstream received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local HTTP server standing in for an upstream that fails; it records what it was sent. */
export interface FakeUpstream {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

type Answer = (request: ReceivedRequest, res: ServerResponse) => void;
type UpgradeAnswer = (request: ReceivedRequest, socket: Duplex) => void;

async function startFake(
  answer: Answer,
  upgrade?: UpgradeAnswer,
): Promise<FakeUpstream> {
  const received: ReceivedRequest[] = [];
  const record = (req: IncomingMessage, body = ''): ReceivedRequest => {
    const request = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
    };
    received.push(request);
    return request;
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => answer(record(req, body), res));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    if (upgrade) upgrade(record(req), socket);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** How the fake Twilio API answers a request: an HTTP error quoting the credentials, or a reset. */
export type TwilioFailure = 401 | 500 | 'reset';

/**
 * A Twilio REST API that fails every request, in `failures` order (the last one repeats). Its error
 * messages quote the request's Authorization header and URL, as a misbehaving proxy would, so that
 * twilio-node's RestException carries the credentials; `reset` drops the connection, so that the
 * error is axios' own, with the request config (headers, auth) attached.
 */
export function startFailingTwilioApi(
  failures: TwilioFailure[],
): Promise<FakeUpstream> {
  let count = 0;
  return startFake((request, res) => {
    const failure = failures[Math.min(count++, failures.length - 1)];
    if (failure === 'reset') {
      res.socket?.destroy();
      return;
    }
    json(res, failure, {
      code: failure === 401 ? 20003 : 20500,
      message: `Authenticate failed for ${request.headers.authorization} on ${request.url}`,
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: failure,
    });
  });
}

/**
 * A Gemini Live endpoint that refuses every WebSocket upgrade, alternating 401 and 500, with a body
 * that echoes the URL with the credential as `?key=` and the Authorization header.
 */
export function startRefusingLiveServer(): Promise<FakeUpstream> {
  let count = 0;
  return startFake(
    (_request, res) => json(res, 404, { error: 'upgrade only' }),
    (request, socket) => {
      const status = count++ % 2 === 0 ? 401 : 500;
      const key = String(request.headers['x-goog-api-key'] ?? '');
      const body = JSON.stringify({
        error: {
          code: status,
          message: `Refused ${request.url}?key=${key} (Authorization: ${request.headers.authorization ?? 'none'})`,
        },
      });
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Internal Server Error'}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
    },
  );
}

/**
 * An OAuth token exchange endpoint (workload identity federation's STS, for google-auth-library's
 * `external_account` credentials): refuses the first `refusals` exchanges with 401, echoing the
 * posted form (the subject token) in its description, then grants `accessToken`.
 */
export function startTokenExchange(
  refusals: number,
  accessToken: string,
): Promise<FakeUpstream> {
  let count = 0;
  return startFake((request, res) => {
    if (count++ < refusals) {
      json(res, 401, {
        error: 'invalid_grant',
        error_description: `Rejected exchange: ${request.body}`,
      });
      return;
    }
    json(res, 200, {
      access_token: accessToken,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      expires_in: 3600,
    });
  });
}

/** A webhook receiver that answers every POST with 500, quoting the request's URL and signature. */
export function startFailingWebhook(): Promise<FakeUpstream> {
  return startFake((request, res) =>
    json(res, 500, {
      error: `could not store ${request.url} signed ${String(request.headers['x-signature-256'])}`,
    }),
  );
}
