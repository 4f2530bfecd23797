import { ResilientCallStore } from './resilient-call-store';
import {
  FlakyCallStore,
  logger,
  texts,
  waitUntil,
} from './resilient-call-store.test-helper';
import { line, record, sid } from './sql-call-store.test-helper';

describe('ResilientCallStore with a full queue', () => {
  it('when full, drops the oldest queued transcript batches first, counts them, and marks the record', async () => {
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
    // 5 writes within the bound, plus the call's one loss note (outside it).
    expect(store.stats()).toEqual({
      pendingWrites: 6,
      droppedWrites: 2,
      droppedTranscriptEntries: 3,
      failedWrites: 0,
    });
    // Read while the backend is down: the queued view already counts the lost lines.
    await expect(store.get(sid(1))).resolves.toMatchObject({
      transcriptLinesLost: 3,
    });
    const health = await store.health();
    expect(health).toMatchObject({ ok: false, pendingWrites: 6 });
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
    expect(got?.transcriptLinesLost).toBe(3);
    // One note for both drops: they merged while queued.
    expect(inner.applied.filter((w) => w.startsWith('loss'))).toEqual([
      `loss ${sid(1)} 3`,
    ]);
    await store.close();
  });

  it('never drops a create or a final update during an outage: only transcript batches go, counted', async () => {
    const inner = new FlakyCallStore();
    // A long backoff: nothing is retried until the backend is back.
    const store = new ResilientCallStore(inner, {
      minRetryDelayMs: 50,
      maxRetryDelayMs: 50,
      maxPendingWrites: 3,
    });
    inner.down = true;
    const ended = {
      status: 'completed',
      endedAt: '2025-01-01T00:01:00.000Z',
    } as const;
    // The first attempt fails: the outage has begun before anything else is queued.
    await expect(store.create(record(1))).resolves.toBe(true);
    await expect(store.health()).resolves.toMatchObject({ ok: false });
    const results = [
      store.appendTranscript(sid(1), [line('a1')]),
      store.appendTranscript(sid(1), [line('a2'), line('a2')]),
      // Full from here on: each write pushes out the oldest transcript batch.
      store.create(record(2)),
      store.appendTranscript(sid(2), [line('b1')]),
      store.update(sid(1), ended),
      // Only creates, final updates and loss notes left: the queue grows past its bound for them.
      store.update(sid(2), { status: 'failed' }),
      store.update(sid(3), { endedAt: ended.endedAt }),
      // A transcript batch arriving now is the oldest droppable one: it goes at once.
      store.appendTranscript(sid(2), [line('b2')]),
    ];
    await expect(Promise.all(results)).resolves.toEqual(
      results.map(() => true),
    );
    // 2 creates, 3 updates and one loss note per call that lost lines.
    expect(store.stats()).toEqual({
      pendingWrites: 7,
      droppedWrites: 4,
      droppedTranscriptEntries: 5,
      failedWrites: 0,
    });
    await expect(store.health()).resolves.toMatchObject({
      ok: false,
      pendingWrites: 7,
      detail: expect.stringContaining(
        '4 queued writes dropped (5 transcript entries)',
      ) as unknown,
    });

    inner.down = false;
    await expect(store.flush(1000)).resolves.toBe(true);
    // No transcript line reached the backend, only their count; each call's create came first.
    expect([...inner.applied].sort()).toEqual([
      `create ${sid(1)}`,
      `create ${sid(2)}`,
      `loss ${sid(1)} 3`,
      `loss ${sid(2)} 2`,
      `update ${sid(1)}`,
      `update ${sid(2)}`,
      `update ${sid(3)}`,
    ]);
    for (const n of [1, 2]) {
      expect(inner.applied.filter((w) => w.includes(sid(n)))[0]).toBe(
        `create ${sid(n)}`,
      );
    }
    await expect(inner.data.get(sid(1))).resolves.toEqual({
      ...record(1),
      ...ended,
      transcriptLinesLost: 3,
    });
    await expect(inner.data.get(sid(2))).resolves.toEqual({
      ...record(2),
      status: 'failed',
      transcriptLinesLost: 2,
    });
    // The update of a call never created is refused after its caller was told true.
    expect(store.stats()).toMatchObject({ pendingWrites: 0, failedWrites: 1 });
    await store.close();
  });

  it('keeps every create and final update past maxPendingWrites when no transcript is queued', async () => {
    const inner = new FlakyCallStore();
    const log = logger();
    const store = new ResilientCallStore(inner, {
      minRetryDelayMs: 5,
      maxRetryDelayMs: 5,
      maxPendingWrites: 2,
      logger: log,
    });
    inner.down = true;
    for (const n of [1, 2, 3, 4, 5]) await store.create(record(n));
    for (const n of [1, 2, 3, 4, 5]) {
      await store.update(sid(n), { status: n % 2 ? 'completed' : 'failed' });
    }
    expect(store.stats()).toMatchObject({
      pendingWrites: 10,
      droppedWrites: 0,
    });
    // Said once, not per write.
    expect(
      log.warn.mock.calls.filter(([entry]) =>
        String((entry as { msg: string }).msg).includes('queue is full'),
      ),
    ).toHaveLength(1);

    inner.down = false;
    await expect(store.flush(1000)).resolves.toBe(true);
    for (const n of [1, 2, 3, 4, 5]) {
      await expect(inner.data.get(sid(n))).resolves.toMatchObject({
        status: n % 2 ? 'completed' : 'failed',
      });
    }
    await store.close();
  });

  it('drops the oldest transcript batch of any call, never one being written', async () => {
    const inner = new FlakyCallStore();
    const store = new ResilientCallStore(inner, {
      minRetryDelayMs: 20,
      maxRetryDelayMs: 20,
      maxPendingWrites: 4,
    });
    await store.create(record(1));
    await store.create(record(2));
    inner.down = true;
    await store.appendTranscript(sid(1), [line('x')]);
    // The retry of 'x' is under way (and slow) while the queue fills up behind it.
    inner.delayMs = 100;
    const attempts = inner.attempts;
    await waitUntil(() => inner.attempts > attempts);
    await store.appendTranscript(sid(2), [line('p')]);
    await store.appendTranscript(sid(1), [line('y')]);
    await store.appendTranscript(sid(2), [line('q')]);
    expect(store.stats().droppedWrites).toBe(0);
    await store.appendTranscript(sid(1), [line('z')]);
    await store.appendTranscript(sid(2), [line('r')]);
    // 'x' is in flight; 'p' (call 2) then 'y' (call 1) were the oldest queued. Each call has
    // a loss note besides the 4 writes.
    expect(store.stats()).toMatchObject({
      pendingWrites: 6,
      droppedWrites: 2,
      droppedTranscriptEntries: 2,
    });

    inner.down = false;
    inner.delayMs = 0;
    await expect(store.flush(2000)).resolves.toBe(true);
    for (const [n, kept] of [
      [1, ['x', 'z']],
      [2, ['q', 'r']],
    ] as const) {
      const got = await inner.data.get(sid(n));
      expect(texts(got)).toEqual(kept);
      expect(got?.transcriptLinesLost).toBe(1);
    }
    await store.close();
  });

  it('keeps every call and final status when many calls overflow at once; each record counts its loss', async () => {
    const inner = new FlakyCallStore();
    const store = new ResilientCallStore(inner, {
      minRetryDelayMs: 50,
      maxRetryDelayMs: 50,
      maxPendingWrites: 10,
    });
    inner.down = true;
    const calls = Array.from({ length: 20 }, (_, i) => i + 1);
    for (const n of calls) await store.create(record(n));
    for (const n of calls) {
      await store.appendTranscript(sid(n), [line(`${n}a`), line(`${n}b`)]);
    }
    for (const n of calls) {
      await store.update(sid(n), {
        status: n % 2 ? 'completed' : 'failed',
        endedAt: '2025-01-01T00:05:00.000Z',
      });
    }
    // Every transcript batch went; the 40 creates and final updates stayed, with 20 loss notes.
    expect(store.stats()).toEqual({
      pendingWrites: 60,
      droppedWrites: 20,
      droppedTranscriptEntries: 40,
      failedWrites: 0,
    });

    inner.down = false;
    await expect(store.flush(5000)).resolves.toBe(true);
    for (const n of calls) {
      await expect(inner.data.get(sid(n))).resolves.toEqual({
        ...record(n),
        status: n % 2 ? 'completed' : 'failed',
        endedAt: '2025-01-01T00:05:00.000Z',
        transcriptLinesLost: 2,
      });
    }
    expect(store.stats()).toMatchObject({ pendingWrites: 0, failedWrites: 0 });
    await store.close();
  });
});
