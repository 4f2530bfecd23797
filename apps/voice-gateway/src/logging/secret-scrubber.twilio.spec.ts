import { RebasedRequestClient } from '@app/twilio/rest/rebased-request-client';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { SecretScrubber } from './secret-scrubber';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'twilio-auth-token-9f8e7d6c5b4a';
const BASIC = Buffer.from(`${SID}:${TOKEN}`).toString('base64');
const scrubber = new SecretScrubber([TOKEN]);
const json = (value: unknown): string => JSON.stringify(scrubber.value(value));

function expectClean(text: string): void {
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(BASIC);
}

describe('A real twilio-node error', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // A Twilio API that answers 401 quoting the credentials, as a misbehaving proxy might.
    server = createServer((req, res) => {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          code: 20003,
          message: `Authenticate: ${req.headers.authorization}`,
        }),
      );
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Ends a call through twilio-node against `baseUrl`, returning what it threw. */
  async function failure(baseUrl: string): Promise<unknown> {
    const client = twilio(SID, TOKEN, {
      httpClient: new RebasedRequestClient(baseUrl),
    });
    try {
      await client.calls('CA0123').update({ status: 'completed' });
    } catch (err) {
      return err;
    }
    throw new Error('expected the request to fail');
  }

  it('loses its Authorization header (config.headers, config.auth) and the token it quotes', async () => {
    const rest = await failure(url);
    expect(String((rest as Error).message)).toContain(BASIC);
    expectClean(json({ err: rest }));

    const network = await failure('http://127.0.0.1:9');
    expect(JSON.stringify((network as { config: unknown }).config)).toContain(
      BASIC,
    );
    const out = json({ err: network });
    expectClean(out);
    expect(out).toContain('"Authorization":"[redacted]"');
    expect(out).toContain('ECONNREFUSED');
  });
});
