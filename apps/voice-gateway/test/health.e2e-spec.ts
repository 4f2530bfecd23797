import { ConfigModule } from '@nestjs/config';
import { validateEnv } from '../src/config';
import { CallHarness, startCallHarness } from './support/call-harness';

describe('Health (e2e)', () => {
  describe('with Twilio and Gemini configured (SQLite store, in-memory registry)', () => {
    let h: CallHarness;
    beforeAll(async () => {
      h = await startCallHarness();
    });
    afterAll(() => h.close());

    it('GET /health reports every check; /health/ready is 200', async () => {
      const res = await fetch(`${h.baseUrl}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: 'ok',
        ready: true,
        uptimeSeconds: expect.any(Number) as number,
        checks: {
          store: {
            ok: true,
            required: false,
            backend: 'sqlite',
            pendingWrites: 0,
            maxPendingWrites: 50_000,
            queueFill: 0,
          },
          registry: { ok: true, required: true },
          router: { ok: true, required: false },
          capacity: { ok: true, required: true, live: 0, max: 100 },
          draining: { ok: true, required: true },
          gemini: { ok: true, required: true },
          twilio: { ok: true, required: true },
        },
      });
      expect((await fetch(`${h.baseUrl}/health/ready`)).status).toBe(200);
      expect(await (await fetch(`${h.baseUrl}/health/live`)).json()).toEqual({
        status: 'ok',
      });
    });
  });

  describe('on a fresh machine with nothing configured', () => {
    let h: CallHarness;
    beforeAll(async () => {
      h = await startCallHarness({
        WEBHOOK_BASE_URL: '',
        TWILIO_AUTH_TOKEN: '',
        GEMINI_API_KEY: '',
      });
    });
    afterAll(() => h.close());

    it('still starts: /health and /health/live are 200, /health/ready is 503 and says why', async () => {
      expect((await fetch(`${h.baseUrl}/health`)).status).toBe(200);
      expect((await fetch(`${h.baseUrl}/health/live`)).status).toBe(200);
      const ready = await fetch(`${h.baseUrl}/health/ready`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as {
        status: string;
        ready: boolean;
        checks: Record<string, { detail?: string }>;
      };
      expect(body.ready).toBe(false);
      // Never "ok" while a check fails.
      expect(body.status).toBe('unready');
      expect(body.checks.gemini.detail).toMatch(/GEMINI_API_KEY/);
      expect(body.checks.twilio.detail).toMatch(/TWILIO_AUTH_TOKEN/);
    });
  });
});

describe('Config validation at boot', () => {
  const original = process.env.PORT;

  afterEach(() => {
    if (original === undefined) delete process.env.PORT;
    else process.env.PORT = original;
  });

  it('refuses a bad PORT with a message naming it', async () => {
    process.env.PORT = 'abc';

    await expect(
      ConfigModule.forRoot({ ignoreEnvFile: true, validate: validateEnv }),
    ).rejects.toThrow(/^ {2}- PORT: .*\(got "abc"\)$/m);
  });
});
