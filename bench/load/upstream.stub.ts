import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';

/** Bytes of 16 kHz PCM16 in one 20 ms caller frame. */
const FRAME_BYTES = 640;
const DATA_KEY = Buffer.from('"data":"');

/**
 * How many 20 ms caller frames one `realtimeInput` audio message carries (UPSTREAM_FRAME_MS may batch
 * several), from the length of its base64 `data`; 1 for a message without audio data.
 */
function callerFrames(message: Buffer): number {
  const start = message.indexOf(DATA_KEY);
  if (start < 0) return 1;
  const from = start + DATA_KEY.length;
  const end = message.indexOf(0x22 /* " */, from);
  let chars = end - from;
  if (message[end - 1] === 0x3d /* = */) chars--;
  if (message[end - 2] === 0x3d) chars--;
  return Math.max(1, Math.round((chars * 3) / 4 / FRAME_BYTES));
}

/** One upstream connection as the load benchmark sees it. */
export interface UpstreamConnection {
  socket: WebSocket;
  /** Arrival times (performance.now()) of caller frames (20 ms each; a batched message counts each). */
  received: number[];
}

/**
 * A load-test Gemini Live endpoint: protocol-faithful where the service depends on it (setup first,
 * `setupComplete` and everything else as binary UTF-8 JSON frames) but keeping only arrival times, so
 * hundreds of calls fit in the benchmark process. (The full emulator keeps every call's audio for the
 * tests' assertions, which a load run cannot afford.) With `relay`, any frame counts as a caller frame:
 * the bare relay forwards Twilio frames unconverted.
 */
export class UpstreamStub {
  readonly connections: UpstreamConnection[] = [];
  private readonly server: WebSocketServer;
  private waiters: Array<(c: UpstreamConnection) => void> = [];

  private constructor(
    readonly port: number,
    server: WebSocketServer,
    private readonly relay: boolean,
  ) {
    this.server = server;
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(relay = false): Promise<UpstreamStub> {
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      perMessageDeflate: false,
    });
    await new Promise((resolve) => server.once('listening', resolve));
    return new UpstreamStub(
      (server.address() as AddressInfo).port,
      server,
      relay,
    );
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** The next connection to complete setup (or, for the relay, to connect). */
  next(): Promise<UpstreamConnection> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const connection: UpstreamConnection = { socket, received: [] };
    let setUp = this.relay;
    if (setUp) this.ready(connection);
    socket.on('message', (data: Buffer) => {
      const at = performance.now();
      if (!setUp) {
        if (!data.includes('"setup"'))
          return socket.close(1007, 'first message must be setup');
        setUp = true;
        socket.send(Buffer.from('{"setupComplete":{}}'), { binary: true });
        this.ready(connection);
        return;
      }
      if (this.relay) connection.received.push(at);
      else if (data.includes('"realtimeInput"'))
        for (let n = callerFrames(data); n > 0; n--)
          connection.received.push(at);
    });
    socket.on('error', () => undefined);
  }

  private ready(connection: UpstreamConnection): void {
    this.connections.push(connection);
    this.waiters.shift()?.(connection);
  }
}
