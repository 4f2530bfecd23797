import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { RebasedRequestClient } from './rebased-request-client';

describe('RebasedRequestClient (TWILIO_API_BASE_URL)', () => {
  let server: Server;
  let base: string;
  const received: IncomingMessage[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(req);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ sid: 'CA1', status: 'completed' }));
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("sends twilio-node's requests, credentials included, to the configured origin and path prefix", async () => {
    const sid = `AC${'0'.repeat(32)}`;
    const client = twilio(sid, 'token', {
      httpClient: new RebasedRequestClient(`${base}/fake/`),
    });
    await client.calls('CA1').update({ status: 'completed' });
    expect(received).toHaveLength(1);
    expect(received[0].method).toBe('POST');
    expect(received[0].url).toBe(
      `/fake/2010-04-01/Accounts/${sid}/Calls/CA1.json`,
    );
    expect(received[0].headers.authorization).toBe(
      `Basic ${Buffer.from(`${sid}:token`).toString('base64')}`,
    );
  });
});
