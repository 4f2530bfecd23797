import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** One REST request the scripted API received. */
export interface ScriptedRestRequest {
  method: string;
  path: string;
  callSid?: string;
  params: Record<string, string>;
}

/** What the scripted API answers to one request (HTTP status and Twilio-shaped JSON). */
export interface ScriptedRestAnswer {
  status: number;
  body: object;
}

const CALL = /\/Calls\/([^/]+)\.json$/;

/**
 * A Twilio REST API the test plays by hand (TWILIO_API_BASE_URL): every request is recorded and
 * answered by `answer` (default: 200 and a Call resource), which may take as long as the test wants.
 * Unlike FakeTwilioApi it knows no calls and sends no callbacks: the test plays Twilio's side itself
 * (stream `stop`, `<Dial action>`, whisper), so it can put events in any order.
 */
export class ScriptedTwilioRest {
  readonly requests: ScriptedRestRequest[] = [];
  answer: (request: ScriptedRestRequest) => Promise<ScriptedRestAnswer> = (
    request,
  ) => Promise.resolve(ok(request));
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly server: Server) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void this.receive(req, res);
    });
  }

  static async start(): Promise<ScriptedTwilioRest> {
    const server = createServer();
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    return new ScriptedTwilioRest(server);
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address}:${port}`;
  }

  /** Resolves once `count` requests have been received. */
  async received(count: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > deadline)
        throw new Error(`${count} REST requests not received`);
      await new Promise<void>((resolve) => {
        const done = () => {
          this.listeners.delete(done);
          resolve();
        };
        this.listeners.add(done);
        setTimeout(done, 20);
      });
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async receive(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(
      new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
    );
    const path = (req.url ?? '/').split('?')[0];
    const request: ScriptedRestRequest = {
      method: req.method ?? 'GET',
      path,
      callSid: CALL.exec(path)?.[1],
      params,
    };
    this.requests.push(request);
    for (const listener of [...this.listeners]) listener();
    const answer = await this.answer(request);
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }
}

/** 200 and a minimal Call resource. */
export function ok(request: ScriptedRestRequest): ScriptedRestAnswer {
  return {
    status: 200,
    body: {
      sid: request.callSid,
      status: 'in-progress',
      api_version: '2010-04-01',
    },
  };
}

/** A Twilio REST error. */
export function twilioError(
  status: number,
  code: number,
  message: string,
): ScriptedRestAnswer {
  return {
    status,
    body: {
      code,
      message,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
    },
  };
}
