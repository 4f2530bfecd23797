import {
  freePort,
  GeminiLiveEmulator,
  TwilioCallSimulator,
} from '@app/simulators';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  CapturedService,
  startCapturedService,
} from './support/captured-service';
import {
  Exposure,
  field,
  logRecords,
  waitForLog,
} from './support/secret-exposure';
import {
  startFailingTwilioApi,
  startFailingWebhook,
  startRefusingLiveServer,
  startTokenExchange,
} from './support/failing-upstreams';

const PUBLIC_URL = 'https://voice.example.test';
const SID = `AC${'5ec12e7a'.repeat(4)}`;
const TWILIO_TOKEN = 'twilio-token-leak-0123456789abcdef';
const GEMINI_KEY = 'AIzaSy-leak-gemini-key-0123456789';
const ADMIN_KEY = 'admin-leak-key-0123456789abcdef';
const WEBHOOK_SECRET = 'webhook-hmac-leak-secret-0123456789';
const WEBHOOK_URL_KEY = 'webhook-url-leak-key-0123456789';
const PG_PASSWORD = 'S3cretPw-postgres-leak';
const REDIS_PASSWORD = 'S3cretPw-redis-leak';
const SUBJECT_TOKEN = 'subject-token-leak-0123456789';
const ACCESS_TOKEN = 'ya29.access-token-leak-0123456789';

/** Every credential in play in these tests, by name: none may appear in anything the service emits. */
const SECRETS: Record<string, string> = {
  TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
  'base64(sid:token)': Buffer.from(`${SID}:${TWILIO_TOKEN}`).toString('base64'),
  GEMINI_API_KEY: GEMINI_KEY,
  ADMIN_API_KEY: ADMIN_KEY,
  CALL_SUMMARY_WEBHOOK_SECRET: WEBHOOK_SECRET,
  'webhook URL ?key=': WEBHOOK_URL_KEY,
  'PostgreSQL password': PG_PASSWORD,
  'Redis password': REDIS_PASSWORD,
  'Vertex subject token': SUBJECT_TOKEN,
  'Vertex access token': ACCESS_TOKEN,
};

const asAdmin = (body?: unknown, method = 'POST'): RequestInit => ({
  method: body === undefined ? 'GET' : method,
  headers: {
    Authorization: `Bearer ${ADMIN_KEY}`,
    'Content-Type': 'application/json',
  },
  body: body === undefined ? undefined : JSON.stringify(body),
});

/** /health, /metrics and a set of error responses (some echo what the client sent: a secret). */
async function probeEndpoints(
  service: CapturedService,
  exposure: Exposure,
): Promise<void> {
  for (const path of ['/health', '/health/ready', '/metrics', '/calls']) {
    await exposure.fetch(service, path, asAdmin());
  }
  const notFound = await exposure.fetch(
    service,
    `/no-such-route?key=${GEMINI_KEY}&token=${TWILIO_TOKEN}`,
  );
  expect(notFound.status).toBe(404);
  expect(notFound.body).toContain('key=[redacted]');
  await exposure.fetch(service, '/calls', {
    headers: { Authorization: `Bearer ${TWILIO_TOKEN}` },
  });
  await exposure.fetch(service, `/calls/${ADMIN_KEY}`, asAdmin());
  await exposure.fetch(service, '/end-call', asAdmin({ callSid: ADMIN_KEY }));
  await exposure.fetch(
    service,
    '/end-call',
    asAdmin({ callSid: `CA${'0'.repeat(32)}` }),
  );
  await exposure.fetch(service, '/incoming-call', {
    method: 'POST',
    body: `token=${TWILIO_TOKEN}`,
  });
}

/** Opens the browser proxy with a fresh token; resolves with how the service closed it. */
async function browserSession(
  service: CapturedService,
  exposure: Exposure,
): Promise<string> {
  const minted = await exposure.fetch(service, '/live/tokens', asAdmin({}));
  const { token } = JSON.parse(minted.body) as { token: string };
  const ws = new WebSocket(
    `${service.url.replace('http', 'ws')}/live/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=${token}`,
  );
  ws.on('error', () => undefined);
  const closed = await new Promise<string>((resolve) =>
    ws.on('close', (code: number, reason: Buffer) =>
      resolve(`${code} ${reason.toString()}`),
    ),
  );
  exposure.add('browser proxy close frame', closed);
  return closed;
}

function incomingCall(
  service: CapturedService,
  accountSid?: string,
): TwilioCallSimulator {
  return new TwilioCallSimulator({
    serviceUrl: service.url,
    publicUrl: PUBLIC_URL,
    authToken: TWILIO_TOKEN,
    accountSid,
  });
}

describe('Secrets never leave the process (the real service, its output captured)', () => {
  it('Twilio REST hang-ups fail (401, 500, reset) and the summary webhook answers 500: logged, and no secret anywhere', async () => {
    const exposure = new Exposure(SECRETS);
    const twilioApi = await startFailingTwilioApi([401, 500, 'reset']);
    const webhook = await startFailingWebhook();
    const emulator = await GeminiLiveEmulator.start({
      apiKey: GEMINI_KEY,
      speechThreshold: 1e9,
    });
    const service = await startCapturedService({
      WEBHOOK_BASE_URL: PUBLIC_URL,
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      TWILIO_API_BASE_URL: twilioApi.url,
      GEMINI_API_KEY: GEMINI_KEY,
      GEMINI_LIVE_URL: emulator.url,
      ADMIN_API_KEY: ADMIN_KEY,
      DATABASE_URL: 'memory:',
      EXAMPLE_MODULES: 'call-summary',
      CALL_SUMMARY_WEBHOOK_URL: `${webhook.url}/hook?key=${WEBHOOK_URL_KEY}`,
      CALL_SUMMARY_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_LEVEL: 'debug',
    });
    const callSids: string[] = [];
    try {
      expect(service.started).toBe(true);
      for (let i = 0; i < 3; i++) {
        const call = incomingCall(service, SID);
        expect((await call.placeCall()).stream).toBe(true);
        await call.sendSilence(200);
        expect(
          (
            await exposure.fetch(
              service,
              '/end-call',
              asAdmin({ callSid: call.callSid }),
            )
          ).status,
        ).toBe(200);
        callSids.push(call.callSid);
        await waitForLog(
          service,
          (r) =>
            r.msg === 'Twilio REST hang-up failed' &&
            r.callSid === call.callSid,
        );
      }
      for (const callSid of callSids)
        await waitForLog(
          service,
          (r) =>
            r.msg === 'Call summary not delivered; giving up' &&
            r.callSid === callSid,
          30_000,
        );
      await probeEndpoints(service, exposure);
    } finally {
      exposure.add('logs', await service.stop());
      await Promise.all([twilioApi.close(), webhook.close(), emulator.close()]);
    }
    // The credentials were really sent (or this test would prove nothing)...
    expect(twilioApi.received.map((r) => r.headers.authorization)).toEqual(
      callSids.map(() => `Basic ${SECRETS['base64(sid:token)']}`),
    );
    expect(webhook.received.map((r) => r.url)).toContain(
      `/hook?key=${WEBHOOK_URL_KEY}`,
    );
    // ...each failed hang-up was logged with its callSid, twilio-node's own error objects included...
    const hangUps = logRecords(exposure.logs()).filter(
      (r) => r.msg === 'Twilio REST hang-up failed',
    );
    expect(hangUps.map((r) => r.callSid)).toEqual(callSids);
    expect(
      hangUps.map((r) => field(r, 'err.status') ?? field(r, 'err.code')),
    ).toEqual([401, 500, 'ECONNRESET']);
    expect(field(hangUps[0], 'err.message')).toMatch(
      /^Authenticate failed for Basic \[redacted\]/,
    );
    expect(field(hangUps[2], 'err.config.headers.Authorization')).toBe(
      '[redacted]',
    );
    // ...and nothing the service wrote or answered holds a secret.
    exposure.expectNoSecrets();
  }, 150_000);

  it('Gemini refuses the API key (401/500 echoing ?key=): phone call and browser proxy fail, no secret anywhere', async () => {
    const exposure = new Exposure(SECRETS);
    const refuser = await startRefusingLiveServer();
    const service = await startCapturedService({
      WEBHOOK_BASE_URL: PUBLIC_URL,
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      GEMINI_API_KEY: GEMINI_KEY,
      GEMINI_LIVE_URL: refuser.url.replace('http', 'ws'),
      ADMIN_API_KEY: ADMIN_KEY,
      DATABASE_URL: 'memory:',
      LOG_LEVEL: 'debug',
    });
    try {
      expect(service.started).toBe(true);
      expect(await browserSession(service, exposure)).toMatch(/^1011/);
      const call = incomingCall(service);
      expect((await call.placeCall()).stream).toBe(true);
      await waitForLog(
        service,
        (r) =>
          r.msg === 'Gemini session lost; saying goodbye' &&
          r.callSid === call.callSid,
      );
      await probeEndpoints(service, exposure);
    } finally {
      exposure.add('logs', await service.stop());
      await refuser.close();
    }
    expect(
      refuser.received.some((r) => r.headers['x-goog-api-key'] === GEMINI_KEY),
    ).toBe(true);
    expect(exposure.logs()).toContain('Unexpected server response: 401');
    expect(exposure.logs()).toContain('Live proxy upstream error');
    exposure.expectNoSecrets();
  }, 120_000);

  it('Vertex: the token exchange is refused, then the access token is: no secret anywhere', async () => {
    const exposure = new Exposure(SECRETS);
    const dir = mkdtempSync(join(tmpdir(), 'vg-leak-'));
    const tokenExchange = await startTokenExchange(2, ACCESS_TOKEN);
    const refuser = await startRefusingLiveServer();
    writeFileSync(join(dir, 'subject-token'), SUBJECT_TOKEN);
    writeFileSync(
      join(dir, 'credentials.json'),
      JSON.stringify({
        type: 'external_account',
        audience:
          '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/leak',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: `${tokenExchange.url}/token`,
        credential_source: { file: join(dir, 'subject-token') },
      }),
    );
    const service = await startCapturedService({
      WEBHOOK_BASE_URL: PUBLIC_URL,
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      GOOGLE_CLOUD_PROJECT: 'leak-test',
      GOOGLE_CLOUD_LOCATION: 'us-central1',
      GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'credentials.json'),
      GEMINI_LIVE_URL: refuser.url.replace('http', 'ws'),
      ADMIN_API_KEY: ADMIN_KEY,
      DATABASE_URL: 'memory:',
      LOG_LEVEL: 'debug',
    });
    try {
      expect(service.started).toBe(true);
      expect(await browserSession(service, exposure)).toBe(
        '1011 upstream unavailable',
      );
      const call = incomingCall(service);
      expect((await call.placeCall()).stream).toBe(true);
      await waitForLog(
        service,
        (r) =>
          r.msg === 'Gemini session lost; saying goodbye' &&
          r.callSid === call.callSid,
      );
      await probeEndpoints(service, exposure);
    } finally {
      exposure.add('logs', await service.stop());
      await Promise.all([tokenExchange.close(), refuser.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
    expect(tokenExchange.received[0].body).toContain(
      `subject_token=${SUBJECT_TOKEN}`,
    );
    expect(refuser.received[0].headers.authorization).toBe(
      `Bearer ${ACCESS_TOKEN}`,
    );
    expect(exposure.logs()).toContain('invalid_grant');
    expect(exposure.logs()).toContain('Unexpected server response: 401');
    exposure.expectNoSecrets();
  }, 120_000);

  it('PostgreSQL with a password at a closed port: the service refuses to start, and says why without it', async () => {
    const exposure = new Exposure(SECRETS);
    const port = await freePort();
    const service = await startCapturedService({
      ADMIN_API_KEY: ADMIN_KEY,
      DATABASE_URL: `postgres://voice:${PG_PASSWORD}@127.0.0.1:${port}/calls`,
      LOG_LEVEL: 'debug',
    });
    exposure.add('logs', await service.stop());
    expect(service.started).toBe(false);
    expect(exposure.logs()).toMatch(/ECONNREFUSED 127\.0\.0\.1:\d+/);
    exposure.expectNoSecrets();
  }, 90_000);

  it('Redis with a password at a closed port: the service runs degraded, and /health, /metrics, logs and errors hold no secret', async () => {
    const exposure = new Exposure(SECRETS);
    const port = await freePort();
    const service = await startCapturedService({
      ADMIN_API_KEY: ADMIN_KEY,
      DATABASE_URL: 'memory:',
      REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:${port}`,
      LOG_LEVEL: 'debug',
    });
    try {
      expect(service.started).toBe(true);
      await waitForLog(service, (r) =>
        /Redis at 127\.0\.0\.1:\d+ unreachable \(ECONNREFUSED\)/.test(
          String(r.msg),
        ),
      );
      await probeEndpoints(service, exposure);
    } finally {
      exposure.add('logs', await service.stop());
    }
    expect(exposure.logs()).toContain(
      `Redis at 127.0.0.1:${port} unreachable (ECONNREFUSED)`,
    );
    exposure.expectNoSecrets();
  }, 90_000);
});
