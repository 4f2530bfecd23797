import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as it arrived. */
  body: string;
}

/** How to answer the n-th request (0-based): a status, or 'hang' to never answer. */
export type ReceiverScript = (index: number) => number | 'hang';

/** Test fixture: a real HTTP receiver on 127.0.0.1 with a scripted answer per request. */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    private readonly script: ReceiverScript,
  ) {
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const index = this.requests.length;
        this.requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        this.waiters.forEach((wake) => wake());
        const answer = this.script(index);
        if (answer !== 'hang') res.writeHead(answer).end('{}');
      });
    });
  }

  static async start(
    script: ReceiverScript = () => 200,
  ): Promise<WebhookReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    return new WebhookReceiver(server, script);
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/hooks/call-summary`;
  }

  /** Resolves once `count` requests have arrived (rejects after `timeoutMs`). */
  waitForRequests(count: number, timeoutMs = 2000): Promise<ReceivedRequest[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `Expected ${count} requests, got ${this.requests.length}`,
            ),
          ),
        timeoutMs,
      );
      const check = (): void => {
        if (this.requests.length < count) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(this.requests);
      };
      this.waiters.push(check);
      check();
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
