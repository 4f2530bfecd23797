import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP pass-through (to PostgreSQL, in the store specs) that a test can turn into a blackhole:
 * connections stay open and new ones are still accepted, but no byte is forwarded either way (it
 * is dropped), as when a database host or the path to it stops answering without refusing or
 * resetting anything. Unlike a refused port, only timeouts can notice. `restore()` forwards again:
 * connections that were idle meanwhile carry on; those accepted during the blackhole stay dead.
 */
export class BlackholeProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private blackholed = false;
  /** The local port to connect to (set by start()). */
  port = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  /** Listens on an ephemeral port of 127.0.0.1. */
  async start(): Promise<this> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  /** Stops forwarding: bytes either way are dropped from now on; nothing is closed or refused. */
  blackhole(): void {
    this.blackholed = true;
  }

  /** Forwards again (bytes dropped meanwhile stay lost). */
  restore(): void {
    this.blackholed = false;
  }

  /** Destroys every connection and stops listening. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server)
      await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.track(client);
    // Accepted during a blackhole: never connected through (the client's connect timeout ends it).
    if (this.blackholed) {
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    this.track(upstream);
    this.forward(client, upstream);
    this.forward(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  private forward(from: Socket, to: Socket): void {
    from.on('data', (chunk) => {
      if (!this.blackholed && !to.destroyed) to.write(chunk);
    });
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }
}
