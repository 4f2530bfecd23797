import * as http from 'node:http';
import twilio from 'twilio';
import {
  ADMIN_KEY,
  AUTH_TOKEN,
  CallHarness,
  PUBLIC_URL,
  startCallHarness,
} from './support/call-harness';

/** The app's limits (src/throttling/rate-limits.constants.ts), per client per minute. */
const FAILURE_BUDGET = 300;
const CLIENT_LIMIT = 120;

interface Reply {
  status: number;
  body: string;
  contentType: string;
  headers: http.IncomingHttpHeaders;
}

/**
 * One client as the service sees it: its own keep-alive connections, from `localAddress` (any
 * 127.x address reaches the app's 127.0.0.1 listener), naming `forwardedFor` in X-Forwarded-For
 * the way a TLS proxy in front of the service would.
 */
class Client {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    private readonly baseUrl: string,
    private readonly from: { localAddress?: string; forwardedFor?: string },
  ) {}

  request(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: string,
  ): Promise<Reply> {
    const { localAddress, forwardedFor } = this.from;
    return new Promise((resolve, reject) => {
      const req = http.request(
        this.baseUrl + path,
        {
          method,
          agent: this.agent,
          localAddress,
          headers: {
            ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
            ...(body === undefined
              ? {}
              : { 'content-length': String(Buffer.byteLength(body)) }),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString(),
              contentType: res.headers['content-type'] ?? '',
              headers: res.headers,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** A Twilio-shaped form POST: signed over WEBHOOK_BASE_URL + path when `sign`, else unsigned. */
  webhook(path: string, sign: boolean): Promise<Reply> {
    const params: Record<string, string> = {
      CallSid: sid('CA'),
      AccountSid: sid('AC'),
      From: '+15550001111',
      To: '+15550002222',
      CallStatus: path === '/incoming-call' ? 'ringing' : 'completed',
    };
    const signature = twilio.getExpectedTwilioSignature(
      AUTH_TOKEN,
      PUBLIC_URL + path,
      params,
    );
    return this.request(
      'POST',
      path,
      {
        'content-type': 'application/x-www-form-urlencoded',
        ...(sign ? { 'x-twilio-signature': signature } : {}),
      },
      new URLSearchParams(params).toString(),
    );
  }

  /** `count` requests one after another over keep-alive; their statuses in order. */
  async repeat(count: number, send: () => Promise<Reply>): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) statuses.push((await send()).status);
    return statuses;
  }

  close(): void {
    this.agent.destroy();
  }
}

const sid = (prefix: string): string =>
  prefix + Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32);

const times = (count: number, status: number): number[] =>
  Array.from({ length: count }, () => status);

const ADMIN_ROUTES: Array<{
  method: string;
  path: string;
  body?: string;
  /** What an authorised client under its limit gets. */
  ok: number;
}> = [
  { method: 'GET', path: '/calls', ok: 200 },
  { method: 'POST', path: '/live/tokens', ok: 201 },
  {
    method: 'POST',
    path: '/end-call',
    body: JSON.stringify({ callSid: 'CA' + '0'.repeat(32) }),
    ok: 404,
  },
];

describe.each([
  // No proxy: every TCP peer is its own client; the 127.x source address tells them apart.
  { trustProxy: '', via: 'peer address' },
  // Behind a TLS proxy (all connections from 127.0.0.1): X-Forwarded-For names the client.
  { trustProxy: '1', via: 'X-Forwarded-For' },
  { trustProxy: 'loopback', via: 'X-Forwarded-For' },
])(
  'Rate limits with TRUST_PROXY=$trustProxy (client by $via)',
  ({ trustProxy }) => {
    let h: CallHarness;
    const clients: Client[] = [];
    let nextClient = 1;

    /** A client no test has used yet: its own budgets. The first peer client is 127.0.0.1 itself. */
    const newClient = (): Client => {
      const n = nextClient++;
      const client = new Client(
        h.baseUrl,
        trustProxy
          ? { forwardedFor: `203.0.113.${n}` }
          : { localAddress: `127.0.0.${n}` },
      );
      clients.push(client);
      return client;
    };

    beforeAll(async () => {
      h = await startCallHarness({ TRUST_PROXY: trustProxy });
    });

    afterAll(async () => {
      for (const client of clients) client.close();
      await h.close();
    });

    it('600 unsigned POSTs to /incoming-call get 403 then 429, and signed webhooks from the same client are still answered', async () => {
      const junk = newClient();
      const statuses = await junk.repeat(600, () =>
        junk.webhook('/incoming-call', false),
      );
      expect(statuses).toEqual([
        ...times(FAILURE_BUDGET, 403),
        ...times(600 - FAILURE_BUDGET, 429),
      ]);
      const refused = await junk.webhook('/incoming-call', false);
      expect(refused.status).toBe(429);
      expect(
        Number(refused.headers['retry-after-twilio-failures']),
      ).toBeGreaterThan(0);
      // One budget for all of Twilio's routes.
      expect((await junk.webhook('/call-status', false)).status).toBe(429);

      for (let i = 0; i < 5; i++) {
        const answer = await junk.webhook('/incoming-call', true);
        expect(answer.status).toBe(200);
        expect(answer.contentType).toMatch(/text\/xml/);
        expect(answer.body).toMatch(/<Response>[\s\S]*<Connect>/);
      }
      expect((await junk.webhook('/call-status', true)).status).toBe(204);
    }, 30_000);

    it('limits two clients separately: A exhausted (429) while B still gets 403 unsigned and 200 signed', async () => {
      const a = newClient();
      const b = newClient();
      await a.repeat(FAILURE_BUDGET, () => a.webhook('/incoming-call', false));
      expect((await a.webhook('/incoming-call', false)).status).toBe(429);

      const forged = await b.webhook('/incoming-call', false);
      expect(forged.status).toBe(403);
      expect(forged.body).toMatch(/X-Twilio-Signature/);
      expect((await b.webhook('/incoming-call', true)).status).toBe(200);
      expect((await a.webhook('/incoming-call', true)).status).toBe(200);
    }, 30_000);

    it.each(ADMIN_ROUTES)(
      '$method $path: the flooding client gets 429 (failed auth counts), others and health do not',
      async ({ method, path, body, ok }) => {
        const flooder = newClient();
        const other = newClient();
        const authorised = {
          authorization: `Bearer ${ADMIN_KEY}`,
          'content-type': 'application/json',
        };
        const wrongKey = { ...authorised, authorization: 'Bearer guess' };
        const statuses = await flooder.repeat(CLIENT_LIMIT + 5, () =>
          flooder.request(method, path, wrongKey, body),
        );
        expect(statuses).toEqual([
          ...times(CLIENT_LIMIT, 401),
          ...times(5, 429),
        ]);
        // Over the limit, even the right key waits for the window, and is told how long (s).
        const limited = await flooder.request(method, path, authorised, body);
        expect(limited.status).toBe(429);
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

        expect(
          (await other.request(method, path, authorised, body)).status,
        ).toBe(ok);
        expect((await flooder.request('GET', '/health/live')).status).toBe(200);
        expect((await flooder.request('GET', '/metrics')).status).toBe(200);
        // The webhook limits are separate: a signed webhook from the same client is answered.
        expect((await flooder.webhook('/incoming-call', true)).status).toBe(
          200,
        );
      },
      30_000,
    );

    if (!trustProxy) {
      it('without TRUST_PROXY, a spoofed X-Forwarded-For does not buy a fresh budget', async () => {
        const peer = newClient();
        await peer.repeat(FAILURE_BUDGET, () =>
          peer.webhook('/incoming-call', false),
        );
        for (const spoofed of ['198.51.100.7', '198.51.100.8, 198.51.100.9']) {
          const reply = await peer.request(
            'POST',
            '/incoming-call',
            {
              'content-type': 'application/x-www-form-urlencoded',
              'x-forwarded-for': spoofed,
            },
            'CallSid=CA' + '1'.repeat(32),
          );
          expect(reply.status).toBe(429);
        }
        await peer.repeat(CLIENT_LIMIT, () => peer.request('GET', '/calls'));
        const spoofedAdmin = await peer.request('GET', '/calls', {
          'x-forwarded-for': '198.51.100.10',
        });
        expect(spoofedAdmin.status).toBe(429);
      }, 30_000);
    }
  },
);
