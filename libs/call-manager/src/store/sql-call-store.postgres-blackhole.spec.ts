import { BlackholeProxy } from './blackhole-proxy.fixture';
import { createCallStore } from './create-call-store';
import { ResilientCallStore } from './resilient-call-store';
import { logger, waitUntil } from './resilient-call-store.test-helper';
import { SqlCallStore } from './sql-call-store.driver';
import { line, record, sid } from './sql-call-store.test-helper';
import {
  describePostgres,
  POSTGRES_TEST_URL,
  PostgresTestSchema,
} from './test-databases.fixture';
import { isTransientStoreError } from './transient-store-error.util';

/** Times a promise: its outcome and how long it took (ms). */
async function timed<T>(
  promise: Promise<T>,
): Promise<{ ms: number; value?: T; error?: unknown }> {
  const started = Date.now();
  try {
    const value = await promise;
    return { ms: Date.now() - started, value };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
}

/** Slack on top of a configured timeout for timers and a loaded CI machine (ms). */
const SLACK_MS = 1500;

describePostgres(
  'PostgreSQL that stops answering (a blackhole, not a refused port)',
  () => {
    const schema = new PostgresTestSchema();
    const target = new URL(POSTGRES_TEST_URL);
    let proxy: BlackholeProxy;
    /** The schema's URL, through the proxy. */
    let url: string;

    beforeAll(async () => {
      await schema.create();
      // Tables first, straight to the server.
      const setup = await createCallStore(schema.url);
      await setup.close();
    });
    afterAll(() => schema.drop());

    beforeEach(async () => {
      await schema.truncate();
      proxy = await new BlackholeProxy(
        Number(target.port || 5432),
        target.hostname,
      ).start();
      const proxied = new URL(schema.url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      url = proxied.toString();
    });
    afterEach(() => proxy.stop());

    it('fails a query within queryTimeoutMs and a new connection within connectionTimeoutMs, both transient', async () => {
      const store = new SqlCallStore({
        dialect: 'postgres',
        connectionString: url,
        poolSize: 1,
        connectionTimeoutMs: 300,
        statementTimeoutMs: 200,
        queryTimeoutMs: 500,
      });
      try {
        await expect(store.create(record(1))).resolves.toBe(true);
        proxy.blackhole();

        // The pool's one connection: the update is sent and never answered.
        const stuck = await timed(store.update(sid(1), { status: 'failed' }));
        expect(stuck.error).toMatchObject({
          code: 'ETIMEDOUT',
          message: expect.stringMatching(
            /did not answer within 500 ms/,
          ) as unknown,
        });
        expect(isTransientStoreError(stuck.error)).toBe(true);
        expect(stuck.ms).toBeGreaterThanOrEqual(450);
        expect(stuck.ms).toBeLessThan(500 + SLACK_MS);

        // That connection was discarded: the next query needs a new one, which never gets through.
        const connecting = await timed(store.get(sid(1)));
        expect(isTransientStoreError(connecting.error)).toBe(true);
        expect(connecting.ms).toBeLessThan(300 + SLACK_MS);

        proxy.restore();
        await expect(
          store.update(sid(1), { status: 'completed' }),
        ).resolves.toBe(true);
        await expect(store.get(sid(1))).resolves.toMatchObject({
          status: 'completed',
        });
      } finally {
        await store.close();
      }
    });

    it('enters outage mode within a bound; queued writes wait, lose nothing and complete after restore', async () => {
      const log = logger();
      const created = await createCallStore(url, {
        logger: log,
        postgres: {
          connectionTimeoutMs: 400,
          statementTimeoutMs: 300,
          queryTimeoutMs: 600,
        },
        resilience: { minRetryDelayMs: 50, maxRetryDelayMs: 200 },
      });
      // The write queue's stats() and flush() are part of what is checked.
      if (!(created instanceof ResilientCallStore)) {
        throw new Error('createCallStore(postgres://…) should queue writes');
      }
      const store = created;
      try {
        await store.create(record(1));
        await store.appendTranscript(sid(1), [line('before', 1)]);
        proxy.blackhole();
        const cutAt = Date.now();

        // Callers are answered within writeTimeoutMs (500 ms), not when the database answers.
        const writes = await timed(
          Promise.all([
            store.create(record(2)),
            store.appendTranscript(sid(1), [line('during', 2)]),
            store.appendTranscript(sid(2), [line('hello', 3)]),
            store.update(sid(1), {
              status: 'completed',
              endedAt: record(9).startedAt,
            }),
            store.update(sid(2), {
              status: 'failed',
              endedAt: record(9).startedAt,
            }),
          ]),
        );
        expect(writes.value).toEqual([true, true, true, true, true]);
        expect(writes.ms).toBeLessThan(500 + SLACK_MS);

        // Outage declared once a write timed out: well within queryTimeoutMs + slack.
        const outage = () =>
          log.warn.mock.calls.some(([entry]) =>
            String((entry as { msg: string }).msg).includes('unreachable'),
          );
        await waitUntil(outage, 600 + SLACK_MS);
        const declaredAfterMs = Date.now() - cutAt;
        expect(declaredAfterMs).toBeLessThan(600 + SLACK_MS);
        const health = await store.health();
        expect(health).toMatchObject({ backend: 'postgres', ok: false });
        expect(health.detail).toMatch(/did not answer|timeout/i);

        // A few retries against the blackhole: everything stays queued, nothing is dropped.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        expect(store.stats()).toMatchObject({
          pendingWrites: 5,
          droppedWrites: 0,
          failedWrites: 0,
        });

        proxy.restore();
        await expect(store.flush(10_000)).resolves.toBe(true);
        await expect(store.health()).resolves.toMatchObject({ ok: true });
        expect(store.stats()).toMatchObject({
          pendingWrites: 0,
          failedWrites: 0,
        });
      } finally {
        await store.close();
      }

      // Straight from the server, not through the proxy or the store.
      const rows = await schema.query<{ call_sid: string; status: string }>(
        'select call_sid, status from calls order by call_sid',
      );
      expect(rows).toEqual([
        { call_sid: sid(1), status: 'completed' },
        { call_sid: sid(2), status: 'failed' },
      ]);
      const lines = await schema.query<{ call_sid: string; text: string }>(
        'select call_sid, text from transcript_entries order by call_sid, seq',
      );
      expect(lines).toEqual([
        { call_sid: sid(1), text: 'before' },
        { call_sid: sid(1), text: 'during' },
        { call_sid: sid(2), text: 'hello' },
      ]);
    });
  },
);
