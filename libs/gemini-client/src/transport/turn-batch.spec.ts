import { BatchedJob, TurnBatch } from './turn-batch';

const nextTurn = (): Promise<void> =>
  new Promise((resolve) => setImmediate(resolve));

describe('TurnBatch', () => {
  const seen: string[] = [];
  const record: BatchedJob<string, number, string> = (target, a, b) =>
    seen.push(`${target}:${a}:${b}`);

  beforeEach(() => (seen.length = 0));

  it('runs the jobs of a turn together, after the code that deferred them, in order', async () => {
    const batch = new TurnBatch();
    batch.defer(record, 'call-1', 1, 'media');
    batch.defer(record, 'call-2', 1, 'media');
    batch.defer(record, 'call-1', 2, 'stop');
    expect(seen).toEqual([]);
    expect(batch.pending).toBe(3);

    await nextTurn();

    expect(seen).toEqual(['call-1:1:media', 'call-2:1:media', 'call-1:2:stop']);
    expect(batch.pending).toBe(0);
  });

  it('schedules one drain per turn, however many jobs', async () => {
    const batch = new TurnBatch();
    const immediate = jest.spyOn(global, 'setImmediate');
    try {
      for (let i = 0; i < 100; i++) batch.defer(record, 'call', i, 'media');
      expect(immediate).toHaveBeenCalledTimes(1);
      await nextTurn();
      batch.defer(record, 'call', 100, 'media');
      expect(immediate).toHaveBeenCalledTimes(3); // nextTurn's own, then the next drain
    } finally {
      immediate.mockRestore();
    }
    await nextTurn();
    expect(seen).toHaveLength(101);
  });

  it('runs a job deferred by a job at the next drain, after those already waiting', async () => {
    const batch = new TurnBatch();
    const followUp: BatchedJob<string, number, string> = (target, a, b) => {
      record(target, a, b);
      batch.defer(record, target, a + 1, 'follow-up');
    };
    batch.defer(followUp, 'call', 1, 'first');
    batch.defer(record, 'call', 1, 'second');

    await nextTurn();
    expect(seen).toEqual(['call:1:first', 'call:1:second']);
    await nextTurn();
    expect(seen).toEqual(['call:1:first', 'call:1:second', 'call:2:follow-up']);
  });

  it('flush runs the waiting jobs at once, in order (a socket closing), and the drain finds none', async () => {
    const batch = new TurnBatch();
    batch.defer(record, 'call-1', 1, 'media');
    batch.defer(record, 'call-1', 2, 'stop');
    batch.flush();
    seen.push('call-1 closed');
    expect(batch.pending).toBe(0);

    await nextTurn();
    expect(seen).toEqual(['call-1:1:media', 'call-1:2:stop', 'call-1 closed']);
    batch.flush(); // nothing waiting: nothing runs
    expect(seen).toHaveLength(3);
  });

  it('a job that throws does not stop the others; its error is rethrown on its own', async () => {
    const batch = new TurnBatch();
    const rethrown: Array<() => void> = [];
    const tick = jest.spyOn(process, 'nextTick').mockImplementation(((
      fn: () => void,
    ) => {
      rethrown.push(fn);
    }) as typeof process.nextTick);
    const boom = new Error('one call failed');
    try {
      batch.defer(record, 'call-1', 1, 'media');
      batch.defer(
        () => {
          throw boom;
        },
        'call-2',
        1,
        'media',
      );
      batch.defer(record, 'call-3', 1, 'media');
      await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      tick.mockRestore();
    }

    expect(seen).toEqual(['call-1:1:media', 'call-3:1:media']);
    expect(rethrown).toHaveLength(1);
    expect(() => rethrown[0]()).toThrow(boom);
  });
});
