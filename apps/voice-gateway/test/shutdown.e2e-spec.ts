import { createCallStore } from '@app/call-manager';
import {
  GeminiLiveEmulator,
  startServiceProcess,
  TwilioCallSimulator,
} from '@app/simulators';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ADMIN_KEY,
  AUTH_TOKEN,
  eventually,
  GEMINI_KEY,
  PUBLIC_URL,
} from './support/call-harness';

describe('Graceful shutdown on SIGTERM (the real service process)', () => {
  it('stops taking calls, lets the live one go on for the drain period, then ends it with its record written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vg-shutdown-'));
    const databaseUrl = `sqlite:${join(dir, 'calls.db')}`;
    const emulator = await GeminiLiveEmulator.start({
      apiKey: GEMINI_KEY,
      speechThreshold: 1e9,
    });
    const service = await startServiceProcess(
      {
        WEBHOOK_BASE_URL: PUBLIC_URL,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        GEMINI_API_KEY: GEMINI_KEY,
        GEMINI_LIVE_URL: emulator.url,
        ADMIN_API_KEY: ADMIN_KEY,
        DATABASE_URL: databaseUrl,
        DRAIN_TIMEOUT_SECONDS: '2',
        LOG_LEVEL: 'warn',
      },
      { fromSource: true, timeoutMs: 60000 },
    );
    const simulator = (): TwilioCallSimulator =>
      new TwilioCallSimulator({
        serviceUrl: service.url,
        publicUrl: PUBLIC_URL,
        authToken: AUTH_TOKEN,
      });
    try {
      const live = simulator();
      expect((await live.placeCall()).stream).toBe(true);
      const session = await emulator.waitForSession(3000);
      await live.sendSilence(300);

      const exited = new Promise<string>((resolve) =>
        service.child.once('exit', (code, signal) =>
          resolve(signal ?? `code ${code}`),
        ),
      );
      const signalledAt = Date.now();
      service.child.kill('SIGTERM');

      const ready = await eventually(
        async () => {
          const res = await fetch(`${service.url}/health/ready`);
          return res.status === 503
            ? ((await res.json()) as { checks: { draining: { ok: boolean } } })
            : undefined;
        },
        1000,
        20,
      );
      expect(ready.checks.draining.ok).toBe(false);

      const refused = await simulator().placeCall();
      expect(refused.stream).toBe(false);
      expect(refused.twiml).toMatch(/<Say>Sorry[^<]*<\/Say><Hangup\/>/);

      // The live call keeps flowing during the drain period...
      const framesBefore = session.received.filter(
        (m) => m.realtimeInput?.audio,
      ).length;
      await live.sendTone(440, 1000, 6000);
      expect(
        session.received.filter((m) => m.realtimeInput?.audio).length -
          framesBefore,
      ).toBeGreaterThanOrEqual(40);
      // ...then is ended by the service, cleanly.
      expect((await live.closed).code).toBe(1000);
      expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(1900);
      // Nest re-raises the signal once its shutdown hooks are done.
      expect(await exited).toMatch(/^(SIGTERM|code 0)$/);

      const store = await createCallStore(databaseUrl);
      const record = await store.get(live.callSid);
      await store.close();
      expect(record).toMatchObject({
        status: 'completed',
        endReason: 'shutdown',
      });
    } finally {
      await service.stop();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90000);
});
