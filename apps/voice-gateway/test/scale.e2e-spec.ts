import {
  GeminiLiveEmulator,
  ServiceProcess,
  startServiceProcess,
  TwilioCallSimulator,
} from '@app/simulators';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import Redis from 'ioredis';
import { Client } from 'pg';
import WebSocket from 'ws';
import {
  ADMIN_KEY,
  AUTH_TOKEN,
  eventually,
  GEMINI_KEY,
  PUBLIC_URL,
} from './support/call-harness';
import {
  describeWithServices,
  POSTGRES_URL,
  REDIS_URL,
} from './support/local-services';

const REGISTRY_TTL_MS = 6000;
/** A dead instance's call is closed by a survivor this long after its last heartbeat at most (ms):
 * ttl, then half a ttl of grace, then up to one scan (every ttl). */
const LOST_CALL_CLOSED_MS = REGISTRY_TTL_MS * 2.5;
const SDK_PATH =
  '/live/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';

/** Two real service processes sharing Redis and PostgreSQL (each test run in its own schema). */
describeWithServices(['postgres', 'redis'])(
  'Two instances sharing Redis and PostgreSQL',
  () => {
    const schema = `scale_${randomBytes(4).toString('hex')}`;
    let emulator: GeminiLiveEmulator;
    let a: ServiceProcess;
    let b: ServiceProcess;

    const admin = (
      service: ServiceProcess,
      path: string,
      init: RequestInit = {},
    ): Promise<Response> =>
      fetch(service.url + path, {
        ...init,
        headers: {
          authorization: `Bearer ${ADMIN_KEY}`,
          'content-type': 'application/json',
        },
      });
    const liveOn = async (service: ServiceProcess): Promise<string[]> =>
      (
        (await (await admin(service, '/calls')).json()) as {
          calls: Array<{ callSid: string }>;
        }
      ).calls.map((c) => c.callSid);
    const callOn = (service: ServiceProcess): TwilioCallSimulator =>
      new TwilioCallSimulator({
        serviceUrl: service.url,
        publicUrl: PUBLIC_URL,
        authToken: AUTH_TOKEN,
      });

    beforeAll(async () => {
      const pg = new Client({ connectionString: POSTGRES_URL });
      await pg.connect();
      await pg.query(`CREATE SCHEMA ${schema}`);
      await pg.end();
      // Redis database 7 is this test's own.
      const redis = new Redis(`${REDIS_URL}/7`);
      await redis.flushdb();
      redis.disconnect();
      emulator = await GeminiLiveEmulator.start({ apiKey: GEMINI_KEY });
      const env = (instance: string): Record<string, string> => ({
        INSTANCE_ID: `${schema}-${instance}`,
        WEBHOOK_BASE_URL: PUBLIC_URL,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        GEMINI_API_KEY: GEMINI_KEY,
        GEMINI_LIVE_URL: emulator.url,
        ADMIN_API_KEY: ADMIN_KEY,
        DATABASE_URL: `${POSTGRES_URL}?options=-c%20search_path%3D${schema}`,
        REDIS_URL: `${REDIS_URL}/7`,
        LOG_LEVEL: 'warn',
      });
      [a, b] = await Promise.all([
        startServiceProcess(env('a'), { fromSource: true, timeoutMs: 60000 }),
        startServiceProcess(env('b'), { fromSource: true, timeoutMs: 60000 }),
      ]);
    }, 90000);

    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await emulator?.close();
      const pg = new Client({ connectionString: POSTGRES_URL });
      await pg.connect();
      await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pg.end();
    }, 30000);

    it('a call on A is listed by B and ended through B', async () => {
      const call = callOn(a);
      expect((await call.placeCall()).stream).toBe(true);
      await call.sendSilence(200);
      expect(await liveOn(b)).toContain(call.callSid);

      const ended = await admin(b, '/end-call', {
        method: 'POST',
        body: JSON.stringify({ callSid: call.callSid }),
      });
      expect(ended.status).toBe(200);
      expect((await call.closed).code).toBe(1000);
      await eventually(async () => !(await liveOn(b)).includes(call.callSid));
      // The slot is freed just before the final record is written (ms apart, on A): poll for it.
      const record = await eventually(async () => {
        const body = (await (
          await admin(b, `/calls/${call.callSid}`)
        ).json()) as Record<string, unknown>;
        return body.status === 'completed' ? body : undefined;
      });
      expect(record).toMatchObject({ status: 'completed', endReason: 'admin' });
    }, 20000);

    it('a second stream for a call live on A is refused by B', async () => {
      const call = callOn(a);
      const placed = await call.placeCall();
      // Twilio reconnecting the same call to the other instance with the TwiML it already has.
      const again = new TwilioCallSimulator({
        serviceUrl: b.url,
        publicUrl: PUBLIC_URL,
        authToken: AUTH_TOKEN,
        callSid: call.callSid,
      });
      const retried = await again.placeCall();
      expect(retried.stream).toBe(true);
      expect((await again.closed).code).toBe(1008);
      expect(await liveOn(b)).toEqual(expect.arrayContaining([call.callSid]));
      expect(placed.stream).toBe(true);
      await call.hangUp();
    }, 20000);

    it('a browser token works once across both instances', async () => {
      const minted = await admin(a, '/live/tokens', { method: 'POST' });
      expect(minted.status).toBe(201);
      const { token } = (await minted.json()) as { token: string };
      const proxy = (service: ServiceProcess): WebSocket => {
        const ws = new WebSocket(
          `${service.url.replace('http', 'ws')}${SDK_PATH}?key=${token}`,
        );
        ws.on('error', () => undefined);
        return ws;
      };

      const first = proxy(b);
      const reply = new Promise<string>((resolve, reject) => {
        first.once('message', (data: Buffer) => resolve(data.toString()));
        first.once('close', (code, reason) =>
          reject(new Error(`closed: ${code} ${reason.toString()}`)),
        );
      });
      await once(first, 'open');
      first.send(
        JSON.stringify({ setup: { model: 'models/gemini-3.8-live' } }),
      );
      expect(await reply).toContain('setupComplete');

      const again = proxy(a);
      const [code, reason] = (await once(again, 'close')) as [number, Buffer];
      expect({ code, reason: reason.toString() }).toEqual({
        code: 1008,
        reason: 'invalid, expired or reused token',
      });
      first.close();
    }, 20000);

    it("killing A makes its calls disappear from B's list within the registry TTL, and B closes them", async () => {
      const call = callOn(a);
      expect((await call.placeCall()).stream).toBe(true);
      await call.sendSilence(100);
      expect(await liveOn(b)).toContain(call.callSid);
      a.child.kill('SIGKILL');
      const killedAt = Date.now();
      await eventually(
        async () => !(await liveOn(b)).includes(call.callSid),
        REGISTRY_TTL_MS + 3000,
        200,
      );
      expect(Date.now() - killedAt).toBeLessThanOrEqual(REGISTRY_TTL_MS + 1000);

      // No status callback comes: B's lost-call reaper closes the record.
      const record = await eventually(
        async () => {
          const found = (await (
            await admin(b, `/calls/${call.callSid}`)
          ).json()) as Record<string, unknown>;
          return found.status === 'completed' && found;
        },
        LOST_CALL_CLOSED_MS + 2000,
        250,
      );
      expect(record).toMatchObject({
        status: 'completed',
        endReason: 'instance-lost',
      });
      expect(Date.now() - killedAt).toBeLessThanOrEqual(
        LOST_CALL_CLOSED_MS + 1000,
      );
    }, 35000);
  },
);
