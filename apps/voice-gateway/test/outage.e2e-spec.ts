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
  ready: boolean;
  checks: Record<
    string,
    {
      ok: boolean;
      required: boolean;
      pendingWrites?: number;
      queueFill?: number;
      outage?: boolean;
      detail?: string;
    }
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

    interface CallRecordBody {
      status?: string;
      transcript?: Array<{ role: string }>;
    }

    /** Places a call and waits for its Gemini session. */
    async function liveCall() {
      const before = h.emulator.sessions.length;
      const call = h.call();
      expect((await call.placeCall()).stream).toBe(true);
      const session: EmulatedSession = await h.emulator.waitForSession(
        3000,
        (s) => h.emulator.sessions.indexOf(s) >= before,
      );
      return { call, session };
    }

    const upstreamFrames = (session: EmulatedSession): number =>
      session.received.filter((m) => m.realtimeInput?.audio).length;

    const completedRecord = (callSid: string) =>
      eventually(
        async () => {
          const res = await h.admin(`/calls/${callSid}`);
          const body = (await res.json()) as CallRecordBody;
          return body.status === 'completed' ? body : undefined;
        },
        8000,
        200,
      );

    it('a PostgreSQL cut: ready stays 200 (degraded) while calls flow, and every record completes after restore', async () => {
      const first = await liveCall();
      await first.call.sendTone(1000, 300, 8000);
      await first.call.sendSilence(500);

      await pgProxy.cut();
      const framesAtCut = upstreamFrames(first.session);
      // A caller turn and the agent's reply during the outage: transcripts are written meanwhile.
      await first.call.sendTone(1000, 300, 8000);
      await first.call.sendSilence(1200);
      expect(
        upstreamFrames(first.session) - framesAtCut,
      ).toBeGreaterThanOrEqual(70); // 1.5 s of 20 ms frames
      expect(
        first.call.received.filter((m) => m.event === 'media').length,
      ).toBeGreaterThan(0);

      const during = await eventually(
        async () => {
          const report = await health();
          return !report.checks.store.ok ? report : undefined;
        },
        5000,
        100,
      );
      // Riding it out: degraded, not unready; the queue's fill is visible.
      expect(during.status).toBe('degraded');
      expect(during.ready).toBe(true);
      expect(during.checks.store.required).toBe(false);
      expect(during.checks.store.pendingWrites).toBeGreaterThan(0);
      expect(during.checks.store.outage).toBe(true);
      expect(during.checks.store.queueFill).toBeGreaterThan(0);
      expect((await fetch(`${h.baseUrl}/health/ready`)).status).toBe(200);
      // Reads the queue cannot serve answer 503 with the reason, not a bare 500.
      const past = await h.admin('/calls?status=ended');
      expect(past.status).toBe(503);
      expect(((await past.json()) as { message: string }).message).toMatch(
        /call store is unavailable/,
      );
      const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/^voice_ready 1$/m);
      expect(metrics).toMatch(
        /^voice_health_check_ok\{check="store",required="false"\} 0$/m,
      );
      expect(metrics).toMatch(/^voice_store_pending_writes [1-9]/m);

      // A new call is taken during the outage: its record is created once the database is back.
      const second = await liveCall();
      await second.call.sendTone(1000, 300, 8000);
      await second.call.sendSilence(900);
      await second.call.hangUp();

      await pgProxy.restore();
      await eventually(
        async () => {
          const report = await health();
          return (
            report.checks.store.ok && report.checks.store.pendingWrites === 0
          );
        },
        10000,
        200,
      );

      await first.call.hangUp();
      const record = await completedRecord(first.call.callSid);
      // Both turns' transcripts, the second written while PostgreSQL was away.
      expect(
        record.transcript?.filter((t) => t.role === 'caller').length,
      ).toBeGreaterThanOrEqual(2);
      expect(
        record.transcript?.filter((t) => t.role === 'agent').length,
      ).toBeGreaterThanOrEqual(2);
      const secondRecord = await completedRecord(second.call.callSid);
      expect(
        secondRecord.transcript?.filter((t) => t.role === 'caller').length,
      ).toBeGreaterThanOrEqual(1);
      expect((await health()).status).toBe('ok');
    }, 40000);

    it('a Redis cut: the live call keeps flowing, /health/ready is 503 (no call can be reserved) until it is back', async () => {
      const { call, session } = await liveCall();
      await redisProxy.cut();
      const framesAtCut = upstreamFrames(session);
      await call.sendTone(1000, 300, 8000);
      await call.sendSilence(1200);
      expect(upstreamFrames(session) - framesAtCut).toBeGreaterThanOrEqual(70);

      const during = await eventually(
        async () => {
          const report = await health();
          return !report.checks.registry.ok ? report : undefined;
        },
        5000,
        100,
      );
      expect(during.status).toBe('unready');
      expect(during.ready).toBe(false);
      expect(during.checks.registry.required).toBe(true);
      expect((await fetch(`${h.baseUrl}/health/ready`)).status).toBe(503);

      await redisProxy.restore();
      await eventually(
        async () => (await fetch(`${h.baseUrl}/health/ready`)).status === 200,
        10000,
        200,
      );
      await call.hangUp();
      await completedRecord(call.callSid);
    }, 40000);
  },
);
