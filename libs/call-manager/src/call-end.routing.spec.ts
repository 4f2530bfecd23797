import type { CallHangup } from './call.types';
import { CallsService } from './calls.service';
import {
  FakeClock,
  FakeRouter,
  assembleCalls,
  bridgeOf,
  callsOnInstanceA,
  control,
  finalWrites,
  incoming,
  quietLogs,
  sid,
} from './calls.test-helper';
import { InMemoryCallRegistry } from './registry/in-memory-call-registry.driver';
import { InMemoryCallStore } from './store/in-memory-call-store.driver';

/** CallEndRouting through the CallsService facade: ending a call wherever it is held. */
describe('CallsService requestEnd', () => {
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
    jest.restoreAllMocks();
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

    it('ends a reserved call through the control that owns it, before any stream attaches', async () => {
      const owner = control();
      await calls.reserve(incoming(1), owner);
      clock.advance(3);
      await expect(calls.requestEnd(sid(1), 'max-duration')).resolves.toBe(
        true,
      );
      expect(owner.end).toHaveBeenCalledTimes(1);
      expect(owner.end).toHaveBeenCalledWith('max-duration');
      expect(hangUp).toHaveBeenCalledWith(sid(1));
      await expect(calls.liveCount()).resolves.toBe(0);
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'completed',
        endReason: 'max-duration',
        durationSeconds: 3,
      });
    });

    it('lets the owner of a reservation end the call itself, once', async () => {
      const update = jest.spyOn(store, 'update');
      const owner = bridgeLike(sid(1));
      await calls.reserve(incoming(1), owner);
      await expect(calls.requestEnd(sid(1), 'error')).resolves.toBe(true);
      expect(owner.end).toHaveBeenCalledWith('error');
      expect(finalWrites(update)).toHaveLength(1);
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'failed',
        endReason: 'error',
      });
    });
  });
});

describe('CallsService requestEnd with other instances (fake router)', () => {
  let clock: FakeClock;
  let store: InMemoryCallStore;
  let hangUp: jest.Mock<Promise<void>, [string]>;
  let router: FakeRouter;
  let logError: jest.SpyInstance;
  let logWarn: jest.SpyInstance;

  /** See callsOnInstanceA: this instance is instance-a, the registry says `owner` holds calls. */
  const service = (owner: string) =>
    callsOnInstanceA(owner, { store, clock, hangup: { hangUp }, router });

  beforeEach(() => {
    clock = new FakeClock();
    store = new InMemoryCallStore();
    hangUp = jest.fn<Promise<void>, [string]>().mockResolvedValue(undefined);
    router = new FakeRouter('instance-a');
    ({ logError, logWarn } = quietLogs());
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
});
