import { callStoreContract } from './call-store.contract';
import { InMemoryCallStore } from './in-memory-call-store.driver';
import { ResilientCallStore } from './resilient-call-store';
import {
  FlakyCallStore,
  fast,
  logger,
  texts,
} from './resilient-call-store.test-helper';
import { line, record, sid } from './sql-call-store.test-helper';

callStoreContract(
  'ResilientCallStore over InMemoryCallStore',
  () => new ResilientCallStore(new InMemoryCallStore()),
);

describe('ResilientCallStore', () => {
  it('queues writes while the backend fails and applies every one, in order per call, once it recovers', async () => {
    const inner = new FlakyCallStore();
    const log = logger();
    const store = new ResilientCallStore(inner, { ...fast, logger: log });
    inner.failures = 7;

    const results: Promise<boolean>[] = [];
    for (const n of [1, 2, 3]) results.push(store.create(record(n)));
    for (let i = 0; i < 10; i++) {
      for (const n of [1, 2, 3]) {
        results.push(store.appendTranscript(sid(n), [line(`${n}:${i}`)]));
      }
    }
    for (const n of [1, 2, 3]) {
      results.push(store.update(sid(n), { status: 'completed' }));
    }
    await expect(Promise.all(results)).resolves.toEqual(
      results.map(() => true),
    );

    await expect(store.flush(2000)).resolves.toBe(true);
    for (const n of [1, 2, 3]) {
      const got = await inner.data.get(sid(n));
      expect(got?.status).toBe('completed');
      expect(texts(got)).toEqual(
        Array.from({ length: 10 }, (_, i) => `${n}:${i}`),
      );
      // Per call: created first, transcript in order, ended last.
      const mine = inner.applied.filter((w) => w.includes(sid(n)));
      expect(mine[0]).toBe(`create ${sid(n)}`);
      expect(mine[mine.length - 1]).toBe(`update ${sid(n)}`);
    }
    // Outage start and recovery are logged once each, not per retry.
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn).toHaveBeenCalledWith(
      expect.objectContaining({
        msg: expect.stringContaining('unreachable') as unknown,
        backend: 'flaky',
        err: expect.stringContaining('ECONNREFUSED') as unknown,
      }),
    );
    expect(log.log).toHaveBeenCalledTimes(1);
    expect(log.log).toHaveBeenCalledWith(
      expect.objectContaining({
        msg: expect.stringContaining('reachable again') as unknown,
      }),
    );
    await expect(store.health()).resolves.toEqual({
      backend: 'flaky',
      ok: true,
      pendingWrites: 0,
      maxPendingWrites: 50_000,
    });
    await store.close();
  });

  it('answers at once while down, and health reports the error and the pending writes', async () => {
    const inner = new FlakyCallStore();
    const store = new ResilientCallStore(inner, {
      minRetryDelayMs: 20,
      maxRetryDelayMs: 20,
    });
    inner.down = true;

    await expect(store.create(record(1))).resolves.toBe(true);
    await expect(store.appendTranscript(sid(1), [line('a')])).resolves.toBe(
      true,
    );
    await expect(store.update(sid(1), { status: 'in-progress' })).resolves.toBe(
      true,
    );
    await expect(store.health()).resolves.toEqual({
      backend: 'flaky',
      ok: false,
      detail: 'connect ECONNREFUSED 127.0.0.1:5432',
      outage: true,
      pendingWrites: 3,
      maxPendingWrites: 50_000,
    });
    // Reads go to the backend: they fail, except get() of a call created in the queue.
    await expect(store.list({})).rejects.toThrow('ECONNREFUSED');
    await expect(store.get(sid(1))).resolves.toEqual({
      ...record(1),
      status: 'in-progress',
      transcript: [line('a')],
    });
    await expect(store.get(sid(2))).rejects.toThrow('ECONNREFUSED');

    inner.down = false;
    await expect(store.flush(1000)).resolves.toBe(true);
    await expect(store.health()).resolves.toMatchObject({
      ok: true,
      pendingWrites: 0,
    });
    await expect(inner.data.get(sid(1))).resolves.toEqual({
      ...record(1),
      status: 'in-progress',
      transcript: [line('a')],
    });
    await store.close();
  });

  it('queues a call’s new writes behind its queued ones, even after the backend is back', async () => {
    const inner = new FlakyCallStore();
    const store = new ResilientCallStore(inner, {
      minRetryDelayMs: 30,
      maxRetryDelayMs: 30,
    });
    inner.down = true;
    await store.create(record(1));
    await store.appendTranscript(sid(1), [line('one')]);
    inner.down = false;
    // The retry has not run yet: these must wait behind the queued writes, and answer at once.
    await expect(store.appendTranscript(sid(1), [line('two')])).resolves.toBe(
      true,
    );
    await expect(store.update(sid(1), { status: 'completed' })).resolves.toBe(
      true,
    );
    await store.appendTranscript(sid(1), [line('three')]);
    expect(inner.applied).toEqual([]);

    await expect(store.flush(1000)).resolves.toBe(true);
    expect(inner.applied).toEqual([
      `create ${sid(1)}`,
      // Queued transcript batches of one call are merged into one write.
      `append ${sid(1)} one,two`,
      `update ${sid(1)}`,
      `append ${sid(1)} three`,
    ]);
    expect(texts(await inner.data.get(sid(1)))).toEqual([
      'one',
      'two',
      'three',
    ]);

    // Queue drained: writes are answered by the backend again (false for an unknown call).
    await expect(store.update(sid(9), { status: 'failed' })).resolves.toBe(
      false,
    );
    await store.close();
  });
});
