import type { BackendStatus, ManagedBackend } from '../backend.types';
import type { CallRecord, TranscriptEntry } from '../call.types';
import { callStoreContract } from './call-store.contract';
import type { CallListQuery, CallStore } from './call-store.interface';
import { InMemoryCallStore } from './in-memory-call-store.driver';
import { ResilientCallStore } from './resilient-call-store';
import { SqlCallStore } from './sql-call-store.driver';
import { line, record, sid } from './sql-call-store.test-helper';

/** An in-memory backend that can be taken down, fail a number of times, or answer slowly. */
class FlakyCallStore implements CallStore, ManagedBackend {
  readonly backend = 'flaky';
  readonly data = new InMemoryCallStore();
  /** Every write applied, in order: `create CA…`, `append CA… a,b`, `update CA…`. */
  readonly applied: string[] = [];
  down = false;
  failures = 0;
  delayMs = 0;
  attempts = 0;
  closed = 0;

  async create(record: CallRecord): Promise<boolean> {
    await this.gate();
    this.applied.push(`create ${record.callSid}`);
    return this.data.create(record);
  }

  async appendTranscript(
    callSid: string,
    entries: TranscriptEntry[],
  ): Promise<boolean> {
    await this.gate();
    this.applied.push(`append ${callSid} ${entries.map((e) => e.text).join()}`);
    return this.data.appendTranscript(callSid, entries);
  }

  async update(callSid: string, patch: Partial<CallRecord>): Promise<boolean> {
    await this.gate();
    this.applied.push(`update ${callSid}`);
    return this.data.update(callSid, patch);
  }

  async get(callSid: string): Promise<CallRecord | undefined> {
    await this.gate();
    return this.data.get(callSid);
  }

  async list(query: CallListQuery): Promise<CallRecord[]> {
    await this.gate();
    return this.data.list(query);
  }

  health(): Promise<BackendStatus> {
    return Promise.resolve({ backend: this.backend, ok: !this.down });
  }

  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }

  private async gate(): Promise<void> {
    this.attempts++;
    if (this.delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    }
    if (this.down || this.failures > 0) {
      this.failures = Math.max(0, this.failures - 1);
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
        code: 'ECONNREFUSED',
      });
    }
  }
}

const texts = (r: CallRecord | undefined) => r?.transcript.map((e) => e.text);

function logger() {
  return { warn: jest.fn(), log: jest.fn() };
}

/** Fast retries so the specs run in milliseconds. */
const fast = { minRetryDelayMs: 1, maxRetryDelayMs: 5 };

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
      pendingWrites: 3,
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

  it('when full, drops the oldest queued transcript batches first and counts them', async () => {
    const inner = new FlakyCallStore();
    const log = logger();
    const store = new ResilientCallStore(inner, {
      minRetryDelayMs: 5,
      maxRetryDelayMs: 5,
      maxPendingWrites: 5,
      logger: log,
    });
    inner.down = true;
    await store.create(record(1));
    await store.appendTranscript(sid(1), [line('b1'), line('b1')]);
    await store.appendTranscript(sid(1), [line('b2')]);
    await store.update(sid(1), { status: 'in-progress' });
    await store.appendTranscript(sid(1), [line('b3')]);
    expect(store.stats().pendingWrites).toBe(5);

    await store.appendTranscript(sid(1), [line('b4')]);
    await store.appendTranscript(sid(1), [line('b5')]);
    expect(store.stats()).toEqual({
      pendingWrites: 5,
      droppedWrites: 2,
      droppedTranscriptEntries: 3,
      failedWrites: 0,
    });
    const health = await store.health();
    expect(health).toMatchObject({ ok: false, pendingWrites: 5 });
    expect(health.detail).toContain(
      '2 queued writes dropped (3 transcript entries)',
    );
    expect(log.warn).toHaveBeenCalledWith(
      expect.objectContaining({
        msg: expect.stringContaining('queue is full') as unknown,
        maxPendingWrites: 5,
      }),
    );

    inner.down = false;
    await expect(store.flush(1000)).resolves.toBe(true);
    const got = await inner.data.get(sid(1));
    expect(got?.status).toBe('in-progress');
    expect(texts(got)).toEqual(['b3', 'b4', 'b5']);
    await store.close();
  });

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
