import { EmulatedLiveSession as EmulatedSession } from '@app/simulators';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  CallHarness,
  eventually,
  startCallHarness,
} from './support/call-harness';
import { describeWithServices, POSTGRES_URL } from './support/local-services';
import { TcpProxy } from './support/tcp-proxy';

interface Health {
  status: string;
  checks: Record<
    string,
    { ok: boolean; pendingWrites?: number; detail?: string }
  >;
}

/**
 * PostgreSQL and Redis reached through proxies the test can cut mid-call: the call's audio must keep
 * flowing, writes must be kept and flushed on recovery, /health must say what is wrong.
 */
describeWithServices(['postgres', 'redis'])(
  'PostgreSQL and Redis going away mid-call',
  () => {
    const schema = `outage_${randomBytes(4).toString('hex')}`;
    const pgProxy = new TcpProxy(5432);
    const redisProxy = new TcpProxy(6379);
    let h: CallHarness;

    beforeAll(async () => {
      const pg = new Client({ connectionString: POSTGRES_URL });
      await pg.connect();
      await pg.query(`CREATE SCHEMA ${schema}`);
      await pg.end();
      await pgProxy.start();
      await redisProxy.start();
      h = await startCallHarness(
        {
          DATABASE_URL: `postgres://postgres@127.0.0.1:${pgProxy.port}/test?options=-c%20search_path%3D${schema}`,
          REDIS_URL: `redis://127.0.0.1:${redisProxy.port}/8`,
          INSTANCE_ID: schema,
        },
        // Replies at once to each caller turn, so transcripts are written during the outage.
        {
          reply: { kind: 'tone', hz: 440, amplitude: 6000, ms: 200 },
          silenceMs: 200,
        },
      );
    }, 30000);

    afterAll(async () => {
      await h?.close();
      await pgProxy.stop();
      await redisProxy.stop();
      const pg = new Client({ connectionString: POSTGRES_URL });
      await pg.connect();
      await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pg.end();
    }, 30000);

    const health = async (): Promise<Health> =>
      (await (await fetch(`${h.baseUrl}/health`)).json()) as Health;

    it('keeps the call and its audio going, reports the outage, and writes the transcript after recovery', async () => {
      const before = h.emulator.sessions.length;
      const call = h.call();
      expect((await call.placeCall()).stream).toBe(true);
      const session: EmulatedSession = await h.emulator.waitForSession(
        3000,
        (s) => h.emulator.sessions.indexOf(s) >= before,
      );
      await call.sendTone(1000, 300, 8000);
      await call.sendSilence(500);

      await pgProxy.cut();
      await redisProxy.cut();
      const framesAtCut = session.received.filter(
        (m) => m.realtimeInput?.audio,
      ).length;
      // A caller turn and the agent's reply during the outage: transcripts are written meanwhile.
      await call.sendTone(1000, 300, 8000);
      await call.sendSilence(1200);
      const framesDuring =
        session.received.filter((m) => m.realtimeInput?.audio).length -
        framesAtCut;
      expect(framesDuring).toBeGreaterThanOrEqual(70); // 1.5 s of 20 ms frames kept flowing
      expect(
        call.received.filter((m) => m.event === 'media').length,
      ).toBeGreaterThan(0);

      const during = await eventually(
        async () => {
          const report = await health();
          return !report.checks.store.ok && !report.checks.registry.ok
            ? report
            : undefined;
        },
        5000,
        100,
      );
      expect(during.status).toBe('degraded');
      expect((await fetch(`${h.baseUrl}/health/ready`)).status).toBe(503);

      await pgProxy.restore();
      await redisProxy.restore();
      await eventually(
        async () => {
          const report = await health();
          return (
            report.checks.store.ok &&
            report.checks.store.pendingWrites === 0 &&
            report.checks.registry.ok
          );
        },
        10000,
        200,
      );

      await call.hangUp();
      const record = await eventually(
        async () => {
          const res = await h.admin(`/calls/${call.callSid}`);
          const body = (await res.json()) as {
            status?: string;
            transcript?: Array<{ role: string }>;
          };
          return body.status === 'completed' ? body : undefined;
        },
        8000,
        200,
      );
      // Both turns' transcripts, the second written while PostgreSQL was away.
      expect(
        record.transcript?.filter((t) => t.role === 'caller').length,
      ).toBeGreaterThanOrEqual(2);
      expect(
        record.transcript?.filter((t) => t.role === 'agent').length,
      ).toBeGreaterThanOrEqual(2);
    }, 40000);
  },
);
