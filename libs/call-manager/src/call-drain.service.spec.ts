import { Test } from '@nestjs/testing';
import type { CallHangup } from './call.types';
import { CallManagerModule } from './call-manager.module';
import { CallsService } from './calls.service';
import {
  FakeClock,
  FakeRouter,
  assembleCalls,
  bridgeOf,
  callsOnInstanceA,
  control,
  incoming,
  quietLogs,
  settle,
  sid,
} from './calls.test-helper';
import { InMemoryCallRegistry } from './registry/in-memory-call-registry.driver';
import { InMemoryCallStore } from './store/in-memory-call-store.driver';

/** CallDrain through the CallsService facade: shutdown, and keeping local calls bounded. */
describe('CallsService shutdown', () => {
  let clock: FakeClock;
  let registry: InMemoryCallRegistry;
  let store: InMemoryCallStore;
  let hangUp: jest.Mock<Promise<void>, [string]>;
  let calls: CallsService;

  /** A control that, like the Twilio bridge, ends the call through the service. */
  const bridgeLike = (callSid: string) => bridgeOf(calls, callSid);

  beforeEach(() => {
    clock = new FakeClock();
    registry = new InMemoryCallRegistry();
    store = new InMemoryCallStore();
    hangUp = jest.fn<Promise<void>, [string]>().mockResolvedValue(undefined);
    const hangup: CallHangup = { hangUp };
    ({ calls } = assembleCalls({ registry, store, clock, hangup }));
    quietLogs();
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
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

  it('takes no new calls once draining', async () => {
    expect(calls.isDraining).toBe(false);
    const draining = calls.beforeApplicationShutdown();
    expect(calls.isDraining).toBe(true);
    await expect(calls.reserve(incoming(1))).resolves.toBe('unavailable');
    await draining;
    await expect(calls.liveCount()).resolves.toBe(0);
    await expect(calls.get(sid(1))).resolves.toBeUndefined();
  });

  it('gives live calls the drain period before ending them', async () => {
    const drainTimeoutMs = 1000;
    ({ calls } = assembleCalls({
      registry,
      store,
      clock,
      options: { maxConcurrentCalls: 2, drainTimeoutMs },
    }));
    await calls.reserve(incoming(1));
    await calls.reserve(incoming(2));
    const finishing = bridgeLike(sid(1));
    const lingering = bridgeLike(sid(2));
    await calls.attach(sid(1), finishing, 'MZ1');
    await calls.attach(sid(2), lingering, 'MZ2');
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });

    let drained = false;
    const draining = calls.beforeApplicationShutdown().then(() => {
      drained = true;
    });
    await jest.advanceTimersByTimeAsync(300);
    await calls.end(sid(1), 'caller-hangup'); // finishes on its own
    await jest.advanceTimersByTimeAsync(600);
    expect(drained).toBe(false);
    expect(lingering.end).not.toHaveBeenCalled();

    await jest.advanceTimersByTimeAsync(200);
    await draining;
    expect(finishing.end).not.toHaveBeenCalled();
    expect(lingering.end).toHaveBeenCalledWith('shutdown');
    await expect(calls.get(sid(1))).resolves.toMatchObject({
      endReason: 'caller-hangup',
    });
    await expect(calls.get(sid(2))).resolves.toMatchObject({
      endReason: 'shutdown',
    });
  });

  it('drains once however often the hook runs', async () => {
    await calls.reserve(incoming(1));
    const carrier = control();
    await calls.attach(sid(1), carrier, 'MZ1');
    const first = calls.beforeApplicationShutdown();
    const second = calls.beforeApplicationShutdown();
    await Promise.all([first, second]);
    await calls.beforeApplicationShutdown();
    expect(carrier.end).toHaveBeenCalledTimes(1);
    expect(hangUp).toHaveBeenCalledTimes(1);
  });

  it('drains once when Nest shuts the module down', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CallManagerModule.forRootAsync({
          useFactory: () => ({ maxConcurrentCalls: 2, drainTimeoutMs: 0 }),
        }),
      ],
    }).compile();
    const nestCalls = moduleRef.get(CallsService);
    await nestCalls.reserve(incoming(1));
    const carrier = bridgeOf(nestCalls, sid(1));
    await nestCalls.attach(sid(1), carrier, 'MZ1');

    await moduleRef.close();
    expect(nestCalls.isDraining).toBe(true);
    expect(carrier.end).toHaveBeenCalledTimes(1);
    expect(carrier.end).toHaveBeenCalledWith('shutdown');
    await expect(nestCalls.get(sid(1))).resolves.toMatchObject({
      status: 'completed',
      endReason: 'shutdown',
    });
  });
});

describe('CallsService shutdown with other instances (fake router)', () => {
  let clock: FakeClock;
  let store: InMemoryCallStore;
  let hangUp: jest.Mock<Promise<void>, [string]>;
  let router: FakeRouter;

  /** See callsOnInstanceA: this instance is instance-a, the registry says `owner` holds calls. */
  const service = (owner: string) =>
    callsOnInstanceA(owner, { store, clock, hangup: { hangUp }, router });

  beforeEach(() => {
    clock = new FakeClock();
    store = new InMemoryCallStore();
    hangUp = jest.fn<Promise<void>, [string]>().mockResolvedValue(undefined);
    router = new FakeRouter('instance-a');
    quietLogs();
  });

  afterEach(() => {
    jest.restoreAllMocks();
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

  it('forgets local calls that went to other instances', async () => {
    const { registry, calls, local } = service('instance-b');
    await calls.reserve(incoming(1));
    await calls.reserve(incoming(2));
    // Ended by the instances that took their streams.
    await registry.remove(sid(1));
    await registry.remove(sid(2));
    await calls.reserve(incoming(3));
    await settle();
    expect(local.callSids()).toEqual([]);
  });
});
