import type { CallHangup } from './call.types';
import type { CallsService } from './calls.service';
import {
  FakeClock,
  assembleCalls,
  bridgeOf,
  control,
  deferred,
  incoming,
  quietLogs,
  settle,
  sid,
} from './calls.test-helper';
import { InMemoryCallRegistry } from './registry/in-memory-call-registry.driver';
import { InMemoryCallStore } from './store/in-memory-call-store.driver';

/**
 * CallRegistration through the CallsService facade: what a call writes and reads (transcripts,
 * Twilio's status, listings), and registry/store steps that fail or never answer.
 */
describe('CallsService records', () => {
  let clock: FakeClock;
  let registry: InMemoryCallRegistry;
  let store: InMemoryCallStore;
  let hangUp: jest.Mock<Promise<void>, [string]>;
  let calls: CallsService;
  let logError: jest.SpyInstance;

  /** A control that, like the Twilio bridge, ends the call through the service. */
  const bridgeLike = (callSid: string) => bridgeOf(calls, callSid);

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
    jest.useRealTimers();
    jest.restoreAllMocks();
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

  describe('listing', () => {
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
  });

  describe('slow or failing backends', () => {
    it('does not let a store that never answers pin end()', async () => {
      const bounded = assembleCalls({
        registry,
        store,
        clock,
        options: {
          maxConcurrentCalls: 2,
          drainTimeoutMs: 0,
          stepTimeoutMs: 50,
        },
      }).calls;
      await bounded.reserve(incoming(1));
      await bounded.attach(sid(1), control(), 'MZ1');
      const silent = deferred<never>().promise;
      const update = jest.spyOn(store, 'update').mockReturnValue(silent);
      const get = jest.spyOn(store, 'get').mockReturnValue(silent);
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });

      let ended = false;
      const ending = bounded.end(sid(1), 'stream-stopped').then(() => {
        ended = true;
      });
      await jest.advanceTimersByTimeAsync(49);
      expect(ended).toBe(false);
      // One bounded read of the record, one bounded write of the final state.
      await jest.advanceTimersByTimeAsync(51);
      await ending;
      expect(ended).toBe(true);
      expect(get).toHaveBeenCalled();
      expect(update).toHaveBeenCalledWith(
        sid(1),
        expect.objectContaining({ endReason: 'stream-stopped' }),
      );
      await expect(registry.get(sid(1))).resolves.toBeUndefined();
      await expect(bounded.liveCount()).resolves.toBe(0);
      expect(logError).toHaveBeenCalledWith(
        expect.objectContaining({ msg: 'Could not read the record' }),
      );
      expect(logError).toHaveBeenCalledWith(
        expect.objectContaining({ msg: 'Could not update the record' }),
      );
    });

    it('retries freeing the slot when the registry fails once', async () => {
      await calls.reserve(incoming(1));
      const remove = jest
        .spyOn(registry, 'remove')
        .mockRejectedValueOnce(new Error('redis down'));
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });

      const ending = calls.end(sid(1), 'admin');
      await jest.advanceTimersByTimeAsync(0);
      expect(remove).toHaveBeenCalledTimes(1);
      expect(logError).toHaveBeenCalledWith(
        expect.objectContaining({
          msg: 'Could not free the call slot',
          err: 'redis down',
        }),
      );
      await jest.advanceTimersByTimeAsync(100);
      await ending;
      expect(remove).toHaveBeenCalledTimes(2);
      await expect(calls.liveCount()).resolves.toBe(0);
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'completed',
        endReason: 'admin',
      });
      // The slot is free again.
      await expect(calls.reserve(incoming(2))).resolves.toBe('reserved');
      await expect(calls.reserve(incoming(3))).resolves.toBe('reserved');
    });
  });
});
