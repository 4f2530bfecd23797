import { parseTwiml, TwilioCallSimulator } from '@app/simulators';
import twilio from 'twilio';
import {
  CallHarness,
  PUBLIC_URL,
  startCallHarness,
} from './support/call-harness';
import {
  CapturedService,
  startCapturedService,
} from './support/captured-service';
import { logRecords, waitForLog } from './support/secret-exposure';

const AUTH_TOKEN = 'ops-twilio-token-0123456789';
const ADMIN_KEY = 'ops-admin-key-0123456789abcdef';

describe('Gemini not configured (real app)', () => {
  let h: CallHarness;
  beforeAll(async () => {
    h = await startCallHarness({ GEMINI_API_KEY: '' });
  });
  afterAll(() => h.close());

  it('answers the webhook with the apology at once: no reservation, no upstream connection', async () => {
    const sim: TwilioCallSimulator = h.call();
    const started = performance.now();
    const result = await sim.placeCall();
    const elapsedMs = performance.now() - started;
    expect(result.status).toBe(200);
    expect(result.stream).toBe(false);
    expect(parseTwiml(result.twiml).verbs).toEqual(['Say', 'Hangup']);
    expect(result.twiml).toMatch(/cannot take your call right now/);
    // A local round trip; before, the call was accepted and its session retried for seconds.
    expect(elapsedMs).toBeLessThan(250);
    // Nothing reached the Gemini endpoint, now or a moment later (no early session retrying).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.emulator.sessions).toHaveLength(0);
    expect(await (await h.admin('/calls')).json()).toEqual({ calls: [] });
    // No record either: the call never reached the registry or the store.
    expect((await h.admin(`/calls/${sim.callSid}`)).status).toBe(404);
  });
});

describe('Startup line, signature hints and quiet request logs (the service as a process)', () => {
  jest.setTimeout(120_000);
  let service: CapturedService;
  beforeAll(async () => {
    service = await startCapturedService({
      WEBHOOK_BASE_URL: PUBLIC_URL,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      ADMIN_API_KEY: ADMIN_KEY,
      DATABASE_URL: 'memory:',
      LOG_LEVEL: 'info',
    });
  });
  afterAll(() => service.stop());

  it('logs one line with the listening URL, the URLs to give Twilio and what is not configured', async () => {
    expect(service.started).toBe(true);
    const line = await waitForLog(service, (r) => r.context === 'Startup');
    const port = new URL(service.url).port;
    expect(line).toMatchObject({
      level: 30,
      listening: `http://0.0.0.0:${port}`,
      twilio: {
        incomingCall: `${PUBLIC_URL}/incoming-call`,
        callStatus: `${PUBLIC_URL}/call-status`,
        mediaStream: 'wss://voice.example.test/media-stream',
      },
      notConfigured: [
        {
          what: expect.stringMatching(/Gemini/) as unknown,
          set: 'GEMINI_API_KEY (or GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION)',
        },
        {
          what: expect.stringMatching(/REST API/) as unknown,
          set: 'TWILIO_ACCOUNT_SID',
        },
      ],
    });
    expect(String(line.msg)).toMatch(
      new RegExp(
        `^Listening on http://0\\.0\\.0\\.0:${port}; Twilio voice webhook POST ${PUBLIC_URL}/incoming-call`,
      ),
    );
    expect(
      logRecords(service.output()).filter((r) => r.context === 'Startup'),
    ).toHaveLength(1);
    expect(service.output()).not.toContain(AUTH_TOKEN);
    expect(service.output()).not.toContain(ADMIN_KEY);
  });

  it('logs a webhook signature mismatch at warn with the URL checked and the WEBHOOK_BASE_URL hint', async () => {
    const params = {
      CallSid: `CA${'7'.repeat(32)}`,
      From: '+15005550006',
      To: '+15005550001',
    };
    // Signed over the URL Twilio would have called had the number pointed at a tunnel, not PUBLIC_URL.
    const signature = twilio.getExpectedTwilioSignature(
      AUTH_TOKEN,
      'https://abc.tunnel.example/incoming-call',
      params,
    );
    const res = await fetch(`${service.url}/incoming-call`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(403);
    const warn = await waitForLog(
      service,
      (r) => r.problem === 'signature mismatch',
    );
    expect(warn).toMatchObject({
      level: 40,
      checkedUrl: `${PUBLIC_URL}/incoming-call`,
      msg: expect.stringMatching(
        /^Webhook signature mismatch: refused with 403\. .*WEBHOOK_BASE_URL/,
      ) as unknown,
    });
    expect(service.output()).not.toContain(signature);
  });

  it('writes request logs without headers, and none for /health or /metrics', async () => {
    await fetch(`${service.url}/health`);
    await fetch(`${service.url}/metrics`);
    await fetch(`${service.url}/calls`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    const completed = await waitForLog(
      service,
      (r) => (r.req as { url?: string } | undefined)?.url === '/calls',
    );
    expect(completed.req).toEqual({
      id: expect.anything() as unknown,
      method: 'GET',
      url: '/calls',
      remoteAddress: expect.stringMatching(/127\.0\.0\.1/) as unknown,
    });
    const urls = logRecords(service.output()).flatMap((r) => {
      const url = (r.req as { url?: string } | undefined)?.url;
      return url ? [url] : [];
    });
    expect(urls.filter((url) => /^\/(health|metrics)/.test(url))).toEqual([]);
    expect(service.output()).not.toMatch(/"headers"|authorization/i);
  });
});

describe('Config errors at boot (the service as a process)', () => {
  it('a bad PORT: one JSON log line listing the problem, no stack, exit 1', async () => {
    const service = await startCapturedService({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
    });
    const output = await service.stop();
    expect(service.started).toBe(false);
    expect(service.child.exitCode).toBe(1);
    const lines = output.trim().split('\n');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(record).toMatchObject({
      level: 60,
      context: 'Bootstrap',
      problems: [
        'PORT: must be an integer between 1 and 65535 (got "abc")',
        'LOG_LEVEL: must be one of fatal|error|warn|info|debug|trace|silent (got "loud")',
      ],
      msg: expect.stringMatching(
        /^Invalid configuration: the service cannot start \(2 problems/,
      ) as unknown,
    });
    // No stack frames, no colour codes (the console logger's format).
    expect(output).not.toMatch(/\s+at \S+ \(/);
    expect(output).not.toContain('\u001b[');
  }, 90_000);
});
