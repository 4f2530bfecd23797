/**
 * The floor for `bench:load`: a WebSocket relay that, per client connection, opens one upstream
 * connection and forwards every frame both ways unconverted — no JSON, no base64, no DSP. Run as its
 * own process so its CPU can be measured like the service's: `node bare-relay.js <upstreamUrl>`; it
 * listens on a free port of 127.0.0.1 and sends that port to its parent.
 */
import { WebSocket, WebSocketServer } from 'ws';

const [upstreamUrl] = process.argv.slice(2);
const server = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: false,
});

server.on('connection', (client) => {
  const upstream = new WebSocket(upstreamUrl, { perMessageDeflate: false });
  const early: Buffer[] = [];
  upstream.on('open', () =>
    early.splice(0).forEach((frame) => upstream.send(frame, { binary: false })),
  );
  client.on('message', (data: Buffer, isBinary) => {
    if (upstream.readyState === WebSocket.OPEN)
      upstream.send(data, { binary: isBinary });
    else early.push(data);
  });
  upstream.on('message', (data: Buffer) =>
    client.send(data, { binary: false }),
  );
  const close = (): void => {
    client.terminate();
    upstream.terminate();
  };
  client.on('close', close);
  upstream.on('close', close);
  client.on('error', close);
  upstream.on('error', close);
});

server.on('listening', () => {
  const address = server.address();
  process.send?.(typeof address === 'object' ? address?.port : address);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
