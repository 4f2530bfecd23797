import { Logger } from '@nestjs/common';
import type {
  CallEndReason,
  CallHangup,
  CallRecord,
  LiveCallControl,
} from './call.types';
import { CallsService } from './calls.service';
import { Clock } from './clock.service';
import { InMemoryCallRegistry } from './registry/in-memory-call-registry.driver';
import { InMemoryCallStore } from './store/in-memory-call-store.driver';
import type {
  CallRouter,
  EndCallHandler,
  EndCallRequest,
} from './routing/call-router.interface';

class FakeClock extends Clock {
  private time = Date.parse('2025-01-01T12:00:00.000Z');

  now(): Date {
    return new Date(this.time);
  }

  advance(seconds: number): void {
    this.time += seconds * 1000;
  }
}

const sid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;
const incoming = (n: number) => ({
  callSid: sid(n),
  from: '+15550000001',
  to: '+15550000002',
});
/** Lets setImmediate callbacks (the transcript flush) and the writes they start run. */
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

describe('CallsService', () => {
  let clock: FakeClock;
  let registry: InMemoryCallRegistry;
  let store: InMemoryCallStore;
  let hangUp: jest.Mock<Promise<void>, [string]>;
  let calls: CallsService;
  let logError: jest.SpyInstance;

  const control = (
    onEnd: (reason: CallEndReason) => Promise<void> | void = () => undefined,
  ) => ({ end: jest.fn(onEnd) }) satisfies LiveCallControl;

  /** A control that, like the Twilio bridge, ends the call through the service. */
  const bridgeLike = (callSid: string) =>
    control((reason) => calls.end(callSid, reason));

  /** Store updates that wrote the final state. */
  const finalWrites = (
    update: jest.SpyInstance<Promise<boolean>, [string, Partial<CallRecord>]>,
  ) => update.mock.calls.filter(([, patch]) => patch.endedAt !== undefined);

  beforeEach(() => {
    clock = new FakeClock();
    registry = new InMemoryCallRegistry();
    store = new InMemoryCallStore();
    hangUp = jest.fn<Promise<void>, [string]>().mockResolvedValue(undefined);
    const hangup: CallHangup = { hangUp };
    calls = new CallsService(
      registry,
      store,
      { maxConcurrentCalls: 2, drainTimeoutMs: 0 },
      clock,
      hangup,
    );
    logError = jest.spyOn(Logger.prototype, 'error').mockImplementation();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation();
    jest.spyOn(Logger.prototype, 'log').mockImplementation();
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

  describe('requestEnd', () => {
    it('ends a live call through its control and hangs up at the carrier', async () => {
      const update = jest.spyOn(store, 'update');
      await calls.reserve(incoming(1));
      const bridge = bridgeLike(sid(1));
      await calls.attach(sid(1), bridge, 'MZ1');

      await expect(calls.requestEnd(sid(1))).resolves.toBe(true);
      expect(bridge.end).toHaveBeenCalledTimes(1);
      expect(bridge.end).toHaveBeenCalledWith('admin');
      expect(hangUp).toHaveBeenCalledWith(sid(1));
      expect(finalWrites(update)).toHaveLength(1);
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'completed',
        endReason: 'admin',
      });
    });

    it('ends the call even if the control does not', async () => {
      await calls.reserve(incoming(1));
      const lazy = control();
      await calls.attach(sid(1), lazy, 'MZ1');
      await calls.requestEnd(sid(1), 'max-duration');
      expect(lazy.end).toHaveBeenCalledWith('max-duration');
      await expect(calls.liveCount()).resolves.toBe(0);
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        endReason: 'max-duration',
      });
    });

    it('ends a call with no stream attached directly', async () => {
      await calls.reserve(incoming(1));
      await expect(calls.requestEnd(sid(1))).resolves.toBe(true);
      expect(hangUp).toHaveBeenCalledWith(sid(1));
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'completed',
        endReason: 'admin',
      });
    });

    it('returns false for unknown or ended calls', async () => {
      await expect(calls.requestEnd(sid(9))).resolves.toBe(false);
      await calls.reserve(incoming(1));
      await calls.end(sid(1), 'caller-hangup');
      await expect(calls.requestEnd(sid(1))).resolves.toBe(false);
      expect(hangUp).not.toHaveBeenCalled();
    });

    it('logs, but does not throw, control and hang-up failures', async () => {
      hangUp.mockRejectedValue(new Error('twilio 500'));
      await calls.reserve(incoming(1));
      await calls.attach(
        sid(1),
        control(() => {
          throw new Error('socket gone');
        }),
        'MZ1',
      );
      await expect(calls.requestEnd(sid(1))).resolves.toBe(true);
      await expect(calls.liveCount()).resolves.toBe(0);
      expect(logError).toHaveBeenCalledTimes(2);
    });

    it('finishes a call whose record is live but that no instance holds (its instance died)', async () => {
      await calls.reserve(incoming(1));
      clock.advance(5);
      await registry.remove(sid(1)); // what expiry from a shared registry leaves
      await expect(calls.requestEnd(sid(1))).resolves.toBe(true);
      expect(hangUp).toHaveBeenCalledWith(sid(1));
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'completed',
        endReason: 'admin',
        durationSeconds: 5,
      });
      await expect(calls.requestEnd(sid(1))).resolves.toBe(false);
      expect(hangUp).toHaveBeenCalledTimes(1);
    });

    it('works without a CALL_HANGUP provider', async () => {
      const bare = new CallsService(
        registry,
        store,
        { maxConcurrentCalls: 2, drainTimeoutMs: 0 },
        clock,
      );
      await bare.reserve(incoming(1));
      await expect(bare.requestEnd(sid(1))).resolves.toBe(true);
      await expect(bare.liveCount()).resolves.toBe(0);
    });
  });

  describe('recordStatus', () => {
    it('stores a non-final status without ending the call', async () => {
      await calls.reserve(incoming(1));
      await calls.recordStatus(sid(1), 'in-progress');
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'ringing',
        twilioStatus: 'in-progress',
      });
      await expect(calls.liveCount()).resolves.toBe(1);
    });

    it('ends a live call on a final status, without hanging up again', async () => {
      await calls.reserve(incoming(1));
      const bridge = bridgeLike(sid(1));
      await calls.attach(sid(1), bridge, 'MZ1');
      clock.advance(30);

      await calls.recordStatus(sid(1), 'completed', 31);
      expect(bridge.end).toHaveBeenCalledWith('caller-hangup');
      expect(hangUp).not.toHaveBeenCalled();
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'completed',
        endReason: 'caller-hangup',
        twilioStatus: 'completed',
        // Twilio's CallDuration wins over the measured 30 s.
        durationSeconds: 31,
      });
    });

    it.each(['busy', 'failed', 'no-answer', 'canceled'])(
      'treats %s as final',
      async (status) => {
        await calls.reserve(incoming(1));
        await calls.recordStatus(sid(1), status);
        await expect(calls.liveCount()).resolves.toBe(0);
        await expect(calls.get(sid(1))).resolves.toMatchObject({
          endReason: 'caller-hangup',
          twilioStatus: status,
        });
      },
    );

    it('finishes, without hanging up, a call no instance holds when Twilio says it is over', async () => {
      await calls.reserve(incoming(1));
      await registry.remove(sid(1));
      await calls.recordStatus(sid(1), 'completed', 9);
      expect(hangUp).not.toHaveBeenCalled();
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'completed',
        endReason: 'caller-hangup',
        durationSeconds: 9,
      });
    });

    it('records the status of a call that already ended', async () => {
      await calls.reserve(incoming(1));
      await calls.attach(sid(1), control(), 'MZ1');
      clock.advance(12);
      await calls.end(sid(1), 'stream-stopped');
      await calls.recordStatus(sid(1), 'completed', 13);
      expect(hangUp).not.toHaveBeenCalled();
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        endReason: 'stream-stopped',
        twilioStatus: 'completed',
        durationSeconds: 13,
      });
    });
  });

  describe('appendTranscript', () => {
    it('batches lines per tick and keeps their order', async () => {
      const append = jest.spyOn(store, 'appendTranscript');
      await calls.reserve(incoming(1));
      calls.appendTranscript(sid(1), 'caller', 'Hello?');
      clock.advance(1);
      calls.appendTranscript(sid(1), 'agent', 'Hi, how can I help?');
      calls.appendTranscript(sid(1), 'system', 'DTMF 5');
      calls.appendTranscript(sid(1), 'caller', '');
      expect(append).not.toHaveBeenCalled();

      await settle();
      expect(append).toHaveBeenCalledTimes(1);
      calls.appendTranscript(sid(1), 'caller', 'Thanks');
      await settle();
      expect(append).toHaveBeenCalledTimes(2);

      const record = await calls.get(sid(1));
      expect(record?.transcript).toEqual([
        { role: 'caller', text: 'Hello?', at: '2025-01-01T12:00:00.000Z' },
        {
          role: 'agent',
          text: 'Hi, how can I help?',
          at: '2025-01-01T12:00:01.000Z',
        },
        { role: 'system', text: 'DTMF 5', at: '2025-01-01T12:00:01.000Z' },
        { role: 'caller', text: 'Thanks', at: '2025-01-01T12:00:01.000Z' },
      ]);
    });

    it('keeps order when an earlier write is slow', async () => {
      const write = store.appendTranscript.bind(store);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      jest
        .spyOn(store, 'appendTranscript')
        .mockImplementationOnce(async (callSid, entries) => {
          await gate;
          return write(callSid, entries);
        });
      await calls.reserve(incoming(1));
      calls.appendTranscript(sid(1), 'caller', 'one');
      await settle();
      calls.appendTranscript(sid(1), 'caller', 'two');
      await settle();
      release();
      const record = await calls.get(sid(1));
      expect(record?.transcript.map((t) => t.text)).toEqual(['one', 'two']);
    });

    it('includes lines not yet written in get()', async () => {
      await calls.reserve(incoming(1));
      calls.appendTranscript(sid(1), 'agent', 'Welcome');
      const record = await calls.get(sid(1));
      expect(record?.transcript.map((t) => t.text)).toEqual(['Welcome']);
    });

    it('never throws into the caller when the store fails', async () => {
      await calls.reserve(incoming(1));
      const append = jest.spyOn(store, 'appendTranscript');
      append.mockRejectedValueOnce(new Error('db down'));
      append.mockImplementationOnce(() => {
        throw new Error('sync failure');
      });

      expect(() => calls.appendTranscript(sid(1), 'caller', 'a')).not.toThrow();
      await settle();
      expect(() => calls.appendTranscript(sid(1), 'caller', 'b')).not.toThrow();
      await settle();
      calls.appendTranscript(sid(1), 'caller', 'c');
      await settle();

      expect(logError).toHaveBeenCalledTimes(2);
      const record = await calls.get(sid(1));
      expect(record?.transcript.map((t) => t.text)).toEqual(['c']);
    });

    it('does not throw when the clock does', () => {
      jest.spyOn(clock, 'now').mockImplementation(() => {
        throw new Error('clock broken');
      });
      expect(() => calls.appendTranscript(sid(1), 'caller', 'x')).not.toThrow();
      expect(logError).toHaveBeenCalledTimes(1);
    });
  });

  describe('listing and shutdown', () => {
    it('lists live calls oldest first and past calls newest first', async () => {
      await calls.reserve(incoming(2));
      clock.advance(1);
      await calls.reserve(incoming(1));
      await expect(calls.list()).resolves.toEqual([
        expect.objectContaining({ callSid: sid(2) }),
        expect.objectContaining({ callSid: sid(1) }),
      ]);
      await calls.end(sid(2), 'admin');
      await calls.end(sid(1), 'admin');
      const past = await calls.listPast({ status: 'ended' });
      expect(past.map((r) => r.callSid)).toEqual([sid(1), sid(2)]);
    });

    it('endAll ends every call this process holds', async () => {
      await calls.reserve(incoming(1));
      await calls.reserve(incoming(2));
      const bridge = bridgeLike(sid(1));
      await calls.attach(sid(1), bridge, 'MZ1');
      calls.appendTranscript(sid(1), 'agent', 'Goodbye');

      await calls.beforeApplicationShutdown();
      expect(bridge.end).toHaveBeenCalledWith('shutdown');
      await expect(calls.liveCount()).resolves.toBe(0);
      for (const n of [1, 2]) {
        await expect(calls.get(sid(n))).resolves.toMatchObject({
          status: 'completed',
          endReason: 'shutdown',
        });
      }
      expect((await store.get(sid(1)))?.transcript).toHaveLength(1);
    });
  });
});

class FakeRouter implements CallRouter {
  readonly endTimeoutMs = 150;
  handler: EndCallHandler | undefined;
  readonly sendEndRequest = jest
    .fn<Promise<boolean>, [string, EndCallRequest]>()
    .mockResolvedValue(false);

  constructor(readonly instanceId: string) {}

  onEndRequest(handler: EndCallHandler): void {
    this.handler = handler;
  }
}

describe('CallsService with other instances (fake router)', () => {
  let clock: FakeClock;
  let store: InMemoryCallStore;
  let hangUp: jest.Mock<Promise<void>, [string]>;
  let router: FakeRouter;
  let logError: jest.SpyInstance;
  let logWarn: jest.SpyInstance;

  /**
   * This instance is instance-a; every call it reserves or attaches is held by `owner` in the
   * registry (as if its stream had attached there).
   */
  const service = (owner: string) => {
    const registry = new InMemoryCallRegistry(owner);
    const view = new Proxy(registry, {
      get: (target, key): unknown => {
        if (key === 'instanceId') return 'instance-a';
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function'
          ? (value as (...args: unknown[]) => unknown).bind(target)
          : value;
      },
    });
    const calls = new CallsService(
      view,
      store,
      { maxConcurrentCalls: 2, drainTimeoutMs: 0 },
      clock,
      { hangUp },
      router,
    );
    return { registry, calls };
  };
  const control = () => ({ end: jest.fn() }) satisfies LiveCallControl;

  beforeEach(() => {
    clock = new FakeClock();
    store = new InMemoryCallStore();
    hangUp = jest.fn<Promise<void>, [string]>().mockResolvedValue(undefined);
    router = new FakeRouter('instance-a');
    logError = jest.spyOn(Logger.prototype, 'error').mockImplementation();
    logWarn = jest.spyOn(Logger.prototype, 'warn').mockImplementation();
    jest.spyOn(Logger.prototype, 'log').mockImplementation();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('asks the instance holding the call to end it and waits until it has', async () => {
    const { registry, calls } = service('instance-b');
    await calls.reserve(incoming(1));
    router.sendEndRequest.mockImplementation((_owner, { callSid }) => {
      setTimeout(() => void registry.remove(callSid), 20);
      return Promise.resolve(true);
    });

    await expect(calls.requestEnd(sid(1), 'max-duration')).resolves.toBe(true);
    expect(router.sendEndRequest).toHaveBeenCalledWith('instance-b', {
      callSid: sid(1),
      reason: 'max-duration',
    });
    await expect(calls.liveCount()).resolves.toBe(0);
    // The owner hangs up and writes the record, not this instance.
    expect(hangUp).not.toHaveBeenCalled();
    await expect(calls.get(sid(1))).resolves.toMatchObject({
      status: 'ringing',
    });
  });

  it('ends the call here when the instance holding it is gone', async () => {
    const { calls } = service('instance-b');
    await calls.reserve(incoming(1));
    clock.advance(4);
    await expect(calls.requestEnd(sid(1))).resolves.toBe(true);
    expect(hangUp).toHaveBeenCalledWith(sid(1));
    await expect(calls.liveCount()).resolves.toBe(0);
    await expect(calls.get(sid(1))).resolves.toMatchObject({
      status: 'completed',
      endReason: 'admin',
      durationSeconds: 4,
    });
    expect(logWarn).toHaveBeenCalledWith(
      expect.objectContaining({
        msg: 'Instance instance-b holding the call is gone; ending it here',
      }),
    );
  });

  it('ends the call here when the instance holding it does not in time', async () => {
    const { calls } = service('instance-b');
    await calls.reserve(incoming(1));
    router.sendEndRequest.mockResolvedValue(true);
    const started = Date.now();
    await expect(calls.requestEnd(sid(1), 'error')).resolves.toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(
      router.endTimeoutMs - 10,
    );
    expect(hangUp).toHaveBeenCalledWith(sid(1));
    await expect(calls.get(sid(1))).resolves.toMatchObject({
      status: 'failed',
      endReason: 'error',
    });
  });

  it('ends the call here when the request cannot be sent', async () => {
    const { calls } = service('instance-b');
    await calls.reserve(incoming(1));
    router.sendEndRequest.mockRejectedValue(new Error('redis down'));
    await expect(calls.requestEnd(sid(1))).resolves.toBe(true);
    expect(logError).toHaveBeenCalledWith(
      expect.objectContaining({ err: 'redis down' }),
    );
    await expect(calls.get(sid(1))).resolves.toMatchObject({
      endReason: 'admin',
    });
  });

  it('ends a call whose carrier is attached here without asking anyone', async () => {
    const { calls } = service('instance-b');
    await calls.reserve(incoming(1));
    const carrier = control();
    await calls.attach(sid(1), carrier, 'MZ1');
    await expect(calls.requestEnd(sid(1))).resolves.toBe(true);
    expect(carrier.end).toHaveBeenCalledWith('admin');
    expect(router.sendEndRequest).not.toHaveBeenCalled();
  });

  it('ends a call held here when another instance asks', async () => {
    const { calls } = service('instance-a');
    await calls.reserve(incoming(1));
    const carrier = control();
    await calls.attach(sid(1), carrier, 'MZ1');

    await router.handler!({ callSid: sid(1), reason: 'admin' });
    expect(carrier.end).toHaveBeenCalledWith('admin');
    expect(hangUp).toHaveBeenCalledWith(sid(1));
    await expect(calls.get(sid(1))).resolves.toMatchObject({
      status: 'completed',
      endReason: 'admin',
    });
    // Unknown calls are ignored.
    await expect(
      router.handler!({ callSid: sid(9), reason: 'admin' }),
    ).resolves.toBeUndefined();
  });

  it('ignores, never forwards, a request for a call held elsewhere', async () => {
    const { calls } = service('instance-b');
    await calls.reserve(incoming(1));
    await router.handler!({ callSid: sid(1), reason: 'admin' });
    expect(router.sendEndRequest).not.toHaveBeenCalled();
    expect(hangUp).not.toHaveBeenCalled();
    await expect(calls.liveCount()).resolves.toBe(1);
  });

  it('leaves calls held by other instances alone at shutdown', async () => {
    const { calls } = service('instance-b');
    await calls.reserve(incoming(1));
    await calls.reserve(incoming(2));
    const carrier = control();
    await calls.attach(sid(1), carrier, 'MZ1');

    await calls.endAll('shutdown');
    expect(carrier.end).toHaveBeenCalledWith('shutdown');
    expect(router.sendEndRequest).not.toHaveBeenCalled();
    await expect(calls.list()).resolves.toEqual([
      expect.objectContaining({ callSid: sid(2) }),
    ]);
  });

  it('refuses a registry and a router for different instances', () => {
    expect(
      () =>
        new CallsService(
          new InMemoryCallRegistry('instance-b'),
          store,
          { maxConcurrentCalls: 2, drainTimeoutMs: 0 },
          clock,
          undefined,
          router,
        ),
    ).toThrow('must share one instance id');
  });

  it('forgets local calls that went to other instances', async () => {
    const { registry, calls } = service('instance-b');
    const local = (calls as unknown as { localCalls: Set<string> }).localCalls;
    await calls.reserve(incoming(1));
    await calls.reserve(incoming(2));
    // Ended by the instances that took their streams.
    await registry.remove(sid(1));
    await registry.remove(sid(2));
    await calls.reserve(incoming(3));
    await settle();
    expect([...local]).toEqual([]);
  });
});
