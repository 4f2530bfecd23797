import type { CallHangup } from './call.types';
import type { CallsService } from './calls.service';
import {
  FakeClock,
  assembleCalls,
  control,
  finalWrites,
  incoming,
  quietLogs,
  sid,
} from './calls.test-helper';
import { InMemoryCallRegistry } from './registry/in-memory-call-registry.driver';
import { InMemoryCallStore } from './store/in-memory-call-store.driver';

/** CallRegistration through the CallsService facade: reserve, attach, end, expireReservation. */
describe('CallsService lifecycle', () => {
  let clock: FakeClock;
  let registry: InMemoryCallRegistry;
  let store: InMemoryCallStore;
  let hangUp: jest.Mock<Promise<void>, [string]>;
  let calls: CallsService;
  let logError: jest.SpyInstance;

  beforeEach(() => {
    clock = new FakeClock();
    registry = new InMemoryCallRegistry();
    store = new InMemoryCallStore();
    hangUp = jest.fn<Promise<void>, [string]>().mockResolvedValue(undefined);
    const hangup: CallHangup = { hangUp };
    ({ calls } = assembleCalls({ registry, store, clock, hangup }));
    ({ logError } = quietLogs());
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('reserve', () => {
    it('creates a ringing record and takes a slot', async () => {
      await expect(calls.reserve(incoming(1))).resolves.toBe('reserved');
      await expect(calls.get(sid(1))).resolves.toEqual({
        ...incoming(1),
        status: 'ringing',
        startedAt: '2025-01-01T12:00:00.000Z',
        transcript: [],
      });
      await expect(calls.list()).resolves.toEqual([
        {
          ...incoming(1),
          status: 'ringing',
          startedAt: '2025-01-01T12:00:00.000Z',
        },
      ]);
      await expect(calls.liveCount()).resolves.toBe(1);
    });

    it('refuses calls beyond maxConcurrentCalls and frees the slot on end', async () => {
      await calls.reserve(incoming(1));
      await calls.reserve(incoming(2));
      await expect(calls.reserve(incoming(3))).resolves.toBe('at-capacity');
      await expect(calls.get(sid(3))).resolves.toBeUndefined();

      await calls.end(sid(1), 'caller-hangup');
      await expect(calls.reserve(incoming(3))).resolves.toBe('reserved');
    });

    it('reports a live call as a duplicate without touching it', async () => {
      await calls.reserve(incoming(1));
      await calls.attach(sid(1), control(), 'MZ1');
      await expect(calls.reserve(incoming(1))).resolves.toBe('duplicate');
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'in-progress',
      });
      await expect(calls.liveCount()).resolves.toBe(1);
    });

    it('reports an ended call as a duplicate and does not take a slot', async () => {
      await calls.reserve(incoming(1));
      await calls.end(sid(1), 'caller-hangup');
      await expect(calls.reserve(incoming(1))).resolves.toBe('duplicate');
      await expect(calls.liveCount()).resolves.toBe(0);
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'completed',
      });
    });

    it('releases the slot when the record cannot be created', async () => {
      jest.spyOn(store, 'create').mockRejectedValueOnce(new Error('db down'));
      await expect(calls.reserve(incoming(1))).rejects.toThrow('db down');
      await expect(calls.liveCount()).resolves.toBe(0);
    });
  });

  describe('attach', () => {
    it('marks the call in progress', async () => {
      await calls.reserve(incoming(1));
      clock.advance(2);
      await expect(calls.attach(sid(1), control(), 'MZ1')).resolves.toBe(true);
      const answeredAt = '2025-01-01T12:00:02.000Z';
      await expect(calls.list()).resolves.toEqual([
        expect.objectContaining({
          status: 'in-progress',
          answeredAt,
          streamSid: 'MZ1',
        }),
      ]);
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'in-progress',
        answeredAt,
      });
    });

    it('refuses a second stream for the same call, keeping the first', async () => {
      await calls.reserve(incoming(1));
      const first = control();
      const second = control();
      await expect(calls.attach(sid(1), first, 'MZ1')).resolves.toBe(true);
      await expect(calls.attach(sid(1), second, 'MZ2')).resolves.toBe(false);
      await expect(calls.list()).resolves.toEqual([
        expect.objectContaining({ streamSid: 'MZ1' }),
      ]);

      await calls.requestEnd(sid(1));
      expect(first.end).toHaveBeenCalledWith('admin');
      expect(second.end).not.toHaveBeenCalled();
    });

    it('attaches exactly one of two concurrent streams', async () => {
      await calls.reserve(incoming(1));
      const results = await Promise.all([
        calls.attach(sid(1), control(), 'MZ1'),
        calls.attach(sid(1), control(), 'MZ2'),
      ]);
      expect(results.sort()).toEqual([false, true]);
    });

    it('refuses a call whose stream is already claimed (e.g. on another instance)', async () => {
      await calls.reserve(incoming(1));
      await registry.claimStream(sid(1), 'MZ0');
      await expect(calls.attach(sid(1), control(), 'MZ1')).resolves.toBe(false);
      await expect(calls.list()).resolves.toEqual([
        expect.objectContaining({ streamSid: 'MZ0', status: 'ringing' }),
      ]);
    });

    it('refuses unknown and ended calls, changing nothing', async () => {
      const update = jest.spyOn(store, 'update');
      await expect(calls.attach(sid(9), control(), 'MZ9')).resolves.toBe(false);

      await calls.reserve(incoming(1));
      await calls.end(sid(1), 'stream-never-started');
      update.mockClear();
      await expect(calls.attach(sid(1), control(), 'MZ1')).resolves.toBe(false);
      expect(update).not.toHaveBeenCalled();
      await expect(calls.liveCount()).resolves.toBe(0);
    });
  });

  describe('end', () => {
    it('writes the final state once and is idempotent', async () => {
      const update = jest.spyOn(store, 'update');
      await calls.reserve(incoming(1));
      clock.advance(3);
      await calls.attach(sid(1), control(), 'MZ1');
      clock.advance(42.4);

      await calls.end(sid(1), 'stream-stopped');
      clock.advance(10);
      await calls.end(sid(1), 'admin');

      expect(finalWrites(update)).toHaveLength(1);
      await expect(calls.get(sid(1))).resolves.toEqual({
        ...incoming(1),
        status: 'completed',
        startedAt: '2025-01-01T12:00:00.000Z',
        answeredAt: '2025-01-01T12:00:03.000Z',
        endedAt: '2025-01-01T12:00:45.400Z',
        durationSeconds: 42,
        endReason: 'stream-stopped',
        transcript: [],
      });
      await expect(calls.liveCount()).resolves.toBe(0);
      await expect(calls.list()).resolves.toEqual([]);
    });

    it('ends once when called concurrently', async () => {
      const update = jest.spyOn(store, 'update');
      await calls.reserve(incoming(1));
      await Promise.all([
        calls.end(sid(1), 'stream-stopped'),
        calls.end(sid(1), 'admin'),
        calls.end(sid(1), 'error'),
      ]);
      expect(finalWrites(update)).toHaveLength(1);
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        endReason: 'stream-stopped',
        status: 'completed',
      });
    });

    it('measures an unanswered call from its start and marks errors as failed', async () => {
      await calls.reserve(incoming(1));
      clock.advance(7);
      await calls.end(sid(1), 'error');
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'failed',
        endReason: 'error',
        durationSeconds: 7,
      });
    });

    it('is a no-op for an unknown call', async () => {
      const update = jest.spyOn(store, 'update');
      await expect(calls.end(sid(9), 'admin')).resolves.toBeUndefined();
      expect(update).not.toHaveBeenCalled();
    });

    it('writes pending transcript lines before the final record', async () => {
      await calls.reserve(incoming(1));
      await calls.attach(sid(1), control(), 'MZ1');
      calls.appendTranscript(sid(1), 'caller', 'bye');
      await calls.end(sid(1), 'caller-hangup');
      const record = await store.get(sid(1));
      expect(record?.transcript.map((t) => t.text)).toEqual(['bye']);
      expect(record?.status).toBe('completed');
    });

    it('never rejects when the store fails', async () => {
      await calls.reserve(incoming(1));
      jest.spyOn(store, 'update').mockRejectedValue(new Error('db down'));
      await expect(calls.end(sid(1), 'admin')).resolves.toBeUndefined();
      await expect(calls.liveCount()).resolves.toBe(0);
      expect(logError).toHaveBeenCalled();
    });
  });

  describe('expireReservation', () => {
    it('ends a call whose stream never started', async () => {
      await calls.reserve(incoming(1));
      clock.advance(10);
      await expect(calls.expireReservation(sid(1))).resolves.toBe(true);
      await expect(calls.liveCount()).resolves.toBe(0);
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'completed',
        endReason: 'stream-never-started',
        durationSeconds: 10,
      });
      expect(hangUp).not.toHaveBeenCalled();
    });

    it('only forgets a call whose stream was claimed meanwhile (e.g. on another instance)', async () => {
      const owner = control();
      await calls.reserve(incoming(1), owner);
      await registry.claimStream(sid(1), 'MZ0');
      const update = jest.spyOn(store, 'update');

      await expect(calls.expireReservation(sid(1))).resolves.toBe(false);
      expect(update).not.toHaveBeenCalled();
      await expect(calls.get(sid(1))).resolves.toEqual({
        ...incoming(1),
        status: 'ringing',
        startedAt: '2025-01-01T12:00:00.000Z',
        transcript: [],
      });
      await expect(calls.liveCount()).resolves.toBe(1);
      // Forgotten here: shutdown leaves it to whoever carries its stream.
      await calls.endAll('shutdown');
      expect(owner.end).not.toHaveBeenCalled();
      await expect(calls.liveCount()).resolves.toBe(1);
    });

    it('leaves a call whose stream attached here alone', async () => {
      await calls.reserve(incoming(1));
      const carrier = control();
      await calls.attach(sid(1), carrier, 'MZ1');
      await expect(calls.expireReservation(sid(1))).resolves.toBe(false);
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'in-progress',
      });
      await calls.requestEnd(sid(1));
      expect(carrier.end).toHaveBeenCalledWith('admin');
    });
  });
});
