import { ResilientCallStore } from './resilient-call-store';
import {
  FlakyCallStore,
  fast,
  logger,
  texts,
} from './resilient-call-store.test-helper';
import { SqlCallStore } from './sql-call-store.driver';
import { line, record, sid } from './sql-call-store.test-helper';

describe('ResilientCallStore lifecycle', () => {
  it('close() flushes queued writes (retrying at once), then closes the backend', async () => {
    const inner = new FlakyCallStore();
    // A long backoff: close() must not wait it out.
    const store = new ResilientCallStore(inner, {
      minRetryDelayMs: 10_000,
      maxRetryDelayMs: 10_000,
    });
    inner.failures = 3;
    await store.create(record(1));
    await store.appendTranscript(sid(1), [line('a')]);
    await store.update(sid(1), { status: 'completed' });

    const started = Date.now();
    await store.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(inner.closed).toBe(1);
    const got = await inner.data.get(sid(1));
    expect(got?.status).toBe('completed');
    expect(texts(got)).toEqual(['a']);
    await expect(store.create(record(2))).rejects.toThrow('closed');
  });

  it('close() gives up after closeTimeoutMs, says what was lost, and still closes the backend', async () => {
    const inner = new FlakyCallStore();
    const log = logger();
    const store = new ResilientCallStore(inner, {
      ...fast,
      closeTimeoutMs: 50,
      logger: log,
    });
    inner.down = true;
    await store.create(record(1));
    await store.appendTranscript(sid(1), [line('a')]);
    await store.close();
    expect(inner.closed).toBe(1);
    expect(log.warn).toHaveBeenLastCalledWith(
      expect.objectContaining({
        msg: expect.stringContaining('still queued') as unknown,
        pendingWrites: 2,
      }),
    );
  });

  it('rejects a write the backend refuses for good, without queueing it', async () => {
    const inner = new FlakyCallStore();
    jest
      .spyOn(inner, 'create')
      .mockRejectedValueOnce(new Error('value too long for type'));
    const store = new ResilientCallStore(inner, fast);
    await expect(store.create(record(1))).rejects.toThrow('value too long');
    await expect(store.health()).resolves.toMatchObject({
      ok: true,
      pendingWrites: 0,
    });
    await expect(store.create(record(1))).resolves.toBe(true);
    await store.close();
  });

  it('answers a slow write after writeTimeoutMs and finishes it in the background', async () => {
    const inner = new FlakyCallStore();
    inner.delayMs = 200;
    const store = new ResilientCallStore(inner, { writeTimeoutMs: 20 });
    const started = Date.now();
    await expect(store.create(record(1))).resolves.toBe(true);
    expect(Date.now() - started).toBeLessThan(150);
    // Later writes of that call queue behind it and answer at once.
    await expect(store.appendTranscript(sid(1), [line('a')])).resolves.toBe(
      true,
    );
    expect(store.stats().pendingWrites).toBe(2);
    await expect(store.flush(2000)).resolves.toBe(true);
    expect(texts(await inner.data.get(sid(1)))).toEqual(['a']);
    await store.close();
  });

  it('keeps the audio path fast when PostgreSQL is unreachable (closed port)', async () => {
    const inner = new SqlCallStore({
      dialect: 'postgres',
      connectionString: 'postgres://postgres@127.0.0.1:1/test',
    });
    const store = new ResilientCallStore(inner, { closeTimeoutMs: 100 });

    const timed = async (write: () => Promise<boolean>) => {
      const started = performance.now();
      await expect(write()).resolves.toBe(true);
      return performance.now() - started;
    };
    expect(await timed(() => store.create(record(1)))).toBeLessThan(50);
    for (let i = 0; i < 20; i++) {
      expect(
        await timed(() => store.appendTranscript(sid(1), [line(`${i}`)])),
      ).toBeLessThan(50);
    }
    expect(
      await timed(() => store.update(sid(1), { status: 'completed' })),
    ).toBeLessThan(50);

    const health = await store.health();
    expect(health).toMatchObject({
      backend: 'postgres',
      ok: false,
      pendingWrites: 22,
    });
    expect(health.detail).toContain('ECONNREFUSED');
    await store.close();
  });
});
