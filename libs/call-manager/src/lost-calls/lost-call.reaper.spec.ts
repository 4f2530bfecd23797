import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { control, incoming, quietLogs, sid } from '../calls.test-helper';
import { CallRegistration } from '../call-registration.service';
import { Clock } from '../clock.service';
import { LocalCalls } from '../local-calls.state';
import { InMemoryCallRegistry } from '../registry/in-memory-call-registry.driver';
import { RedisCallRegistry } from '../registry/redis-call-registry.driver';
import {
  deleteKeys,
  describeRedis,
  randomKeyPrefix,
  TEST_REDIS_URL,
  UNREACHABLE_REDIS_URL,
} from '../registry/redis-test.fixture';
import { InMemoryCallStore } from '../store/in-memory-call-store.driver';
import { LostCallReaper } from './lost-call.reaper';
import {
  bySid,
  FAST,
  instance,
  type Instance,
  OPTIONS,
  sleep,
} from './lost-call.test-helper';

describeRedis('LostCallReaper (Redis)', () => {
  let admin: Redis;
  let prefix: string;
  let store: InMemoryCallStore;
  const open: Instance[] = [];

  const start = (id: string, withHangup = true): Instance => {
    const created = instance(id, prefix, store, withHangup);
    open.push(created);
    return created;
  };
  /** Waits (up to 3 s) until `survivor` sees no live call: the dead instance's calls expired. */
  const expired = async (survivor: Instance): Promise<void> => {
    for (let i = 0; i < 60 && (await survivor.registry.count()) > 0; i++) {
      await sleep(FAST.heartbeatMs);
    }
    await expect(survivor.registry.count()).resolves.toBe(0);
  };
  /** A reserves calls 1–3 and streams 2 and 3, then dies without ending them. */
  const callsOfDeadInstance = async (a: Instance): Promise<void> => {
    for (const n of [1, 2, 3]) {
      await expect(a.calls.reserve(incoming(n))).resolves.toBe('reserved');
    }
    await expect(a.calls.attach(sid(2), control(), 'MZ2')).resolves.toBe(true);
    await expect(a.calls.attach(sid(3), control(), 'MZ3')).resolves.toBe(true);
    await a.registry.close(); // SIGKILL: no more heartbeats, nothing released
  };

  beforeAll(() => {
    admin = new Redis(TEST_REDIS_URL);
  });

  beforeEach(() => {
    quietLogs();
    prefix = randomKeyPrefix();
    store = new InMemoryCallStore();
  });

  afterEach(async () => {
    await Promise.all(
      open.splice(0).map(async (i) => {
        await i.reaper.beforeApplicationShutdown();
        await i.registry.close();
      }),
    );
    await deleteKeys(admin, prefix);
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await admin.quit();
  });

  it("closes a dead instance's calls with instance-lost exactly once, two survivors racing", async () => {
    const a = start('instance-a');
    const b = start('instance-b');
    const c = start('instance-c');
    await callsOfDeadInstance(a);
    await expired(b);
    // Twilio's status callback for call 3 reaches B first: it closes that record itself.
    await b.calls.recordStatus(sid(3), 'completed', 7);
    await expect(store.get(sid(3))).resolves.toMatchObject({
      status: 'completed',
      endReason: 'caller-hangup',
    });

    const [byB, byC] = await Promise.all([b.reaper.scan(), c.reaper.scan()]);

    expect([...byB, ...byC].sort(bySid)).toEqual([
      { callSid: sid(1), instanceId: 'instance-a', outcome: 'closed' },
      { callSid: sid(2), instanceId: 'instance-a', outcome: 'closed' },
      { callSid: sid(3), instanceId: 'instance-a', outcome: 'already-ended' },
    ]);
    for (const n of [1, 2]) {
      await expect(store.get(sid(n))).resolves.toMatchObject({
        status: 'completed',
        endReason: 'instance-lost',
        endedAt: expect.any(String) as unknown,
      });
    }
    await expect(store.get(sid(3))).resolves.toMatchObject({
      endReason: 'caller-hangup',
      durationSeconds: 7,
    });
    const hungUp = [
      ...b.hangup!.hangUp.mock.calls,
      ...c.hangup!.hangUp.mock.calls,
    ].map(([callSid]) => callSid);
    expect(hungUp.sort()).toEqual([sid(1), sid(2)]);
    const ended = [...b.events.emit.mock.calls, ...c.events.emit.mock.calls]
      .filter(([name]) => name === 'call.ended')
      .map(([, payload]) => payload as { callSid: string; reason: string });
    expect(ended.filter((e) => e.reason === 'instance-lost')).toHaveLength(2);

    // Settled: nothing left to claim, nothing left in the index.
    await expect(b.reaper.scan()).resolves.toEqual([]);
    await expect(c.reaper.scan()).resolves.toEqual([]);
    await expect(admin.zcard(`${prefix}owned`)).resolves.toBe(0);
    await expect(admin.hlen(`${prefix}owner`)).resolves.toBe(0);
  });

  it('closes the records without hanging up when there is no carrier hang-up (no credentials)', async () => {
    const a = start('instance-a');
    const b = start('instance-b', false);
    await callsOfDeadInstance(a);
    await expired(b);
    const reaped = await b.reaper.scan();
    expect(reaped.map((r) => r.outcome)).toEqual([
      'closed',
      'closed',
      'closed',
    ]);
    const records = await Promise.all([1, 2, 3].map((n) => store.get(sid(n))));
    expect(records.map((r) => r?.endReason)).toEqual([
      'instance-lost',
      'instance-lost',
      'instance-lost',
    ]);
  });

  it('leaves the calls of live instances, and calls that ended normally, alone', async () => {
    const a = start('instance-a');
    const b = start('instance-b');
    await a.calls.reserve(incoming(1));
    await a.calls.reserve(incoming(2));
    await a.calls.end(sid(2), 'caller-hangup');
    await sleep(FAST.ttlMs * 2);
    await expect(b.reaper.scan()).resolves.toEqual([]);
    await expect(a.registry.count()).resolves.toBe(1);
    // Only the live call is indexed.
    await expect(admin.zrange(`${prefix}owned`, 0, -1)).resolves.toEqual([
      sid(1),
    ]);
    expect(b.hangup!.hangUp).not.toHaveBeenCalled();
  });

  it('hands a claimed call to another survivor once the claim lapses (the first died closing it)', async () => {
    const a = start('instance-a');
    const b = start('instance-b');
    const c = start('instance-c');
    await a.calls.reserve(incoming(1));
    await a.registry.close();
    await expired(b);
    // B claims the call and dies before closing it.
    await expect(
      b.registry.lostCalls.claim({ limit: 10, graceMs: 0, leaseMs: 150 }),
    ).resolves.toEqual([{ callSid: sid(1), instanceId: 'instance-a' }]);
    await expect(c.reaper.scan()).resolves.toEqual([]);
    await sleep(200);
    await expect(c.reaper.scan()).resolves.toEqual([
      { callSid: sid(1), instanceId: 'instance-a', outcome: 'closed' },
    ]);
    expect(c.hangup!.hangUp).toHaveBeenCalledWith(sid(1));
  });

  it('an owner back from an outage does not take back a call a survivor closed', async () => {
    const a = start('instance-a');
    const b = start('instance-b');
    await a.calls.reserve(incoming(1));
    await a.calls.attach(sid(1), control(), 'MZ1');
    // A loses Redis: its heartbeats stop reaching it.
    const beat = jest
      .spyOn(a.registry as unknown as { beat(): Promise<void> }, 'beat')
      .mockResolvedValue();
    await expired(b);
    await expect(b.reaper.scan()).resolves.toHaveLength(1);
    beat.mockRestore();
    await sleep(FAST.heartbeatMs * 3);
    await expect(b.registry.get(sid(1))).resolves.toBeUndefined();
    await expect(a.registry.health()).resolves.toMatchObject({
      detail: 'instance instance-a holds 0 live call(s)',
    });
    await expect(store.get(sid(1))).resolves.toMatchObject({
      endReason: 'instance-lost',
    });
  });

  it('ends a call this instance still carries when its own reaper finds it lost', async () => {
    const a = start('instance-a');
    const carrier = control();
    await a.calls.reserve(incoming(1));
    await a.calls.attach(sid(1), carrier, 'MZ1');
    // A was cut off from Redis for longer than the ttl; its reaper runs before its heartbeat.
    jest
      .spyOn(a.registry as unknown as { beat(): Promise<void> }, 'beat')
      .mockResolvedValue();
    await expired(a);
    await expect(a.reaper.scan()).resolves.toEqual([
      { callSid: sid(1), instanceId: 'instance-a', outcome: 'closed' },
    ]);
    expect(carrier.end).toHaveBeenCalledWith('instance-lost');
    expect(a.hangup!.hangUp).toHaveBeenCalledWith(sid(1));
    await expect(store.get(sid(1))).resolves.toMatchObject({
      endReason: 'instance-lost',
    });
  });

  it('runs on a timer from bootstrap and stops at shutdown', async () => {
    const b = start('instance-b');
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const scan = jest.spyOn(b.reaper, 'scan').mockResolvedValue([]);
      b.reaper.onApplicationBootstrap();
      jest.advanceTimersByTime(60_000 * 2);
      expect(scan).toHaveBeenCalledTimes(2);
      await b.reaper.beforeApplicationShutdown();
      jest.advanceTimersByTime(60_000 * 2);
      expect(scan).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('LostCallReaper without a shared registry', () => {
  it('has nothing to reap with the in-memory registry', async () => {
    const store = new InMemoryCallStore();
    const registry = new InMemoryCallRegistry('solo');
    const local = new LocalCalls(store);
    const lifecycle = new CallRegistration(
      local,
      registry,
      store,
      OPTIONS,
      new Clock(),
    );
    const reaper = new LostCallReaper(
      local,
      lifecycle,
      registry,
      store,
      OPTIONS,
    );
    expect(reaper.enabled).toBe(false);
    reaper.onApplicationBootstrap();
    await expect(reaper.scan()).resolves.toEqual([]);
    await reaper.beforeApplicationShutdown();
  });

  it('logs an unreachable Redis once and keeps going', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation();
    const store = new InMemoryCallStore();
    const registry = new RedisCallRegistry({
      url: UNREACHABLE_REDIS_URL,
      instanceId: 'instance-b',
      keyPrefix: randomKeyPrefix(),
      commandTimeoutMs: 200,
    });
    const local = new LocalCalls(store);
    const lifecycle = new CallRegistration(
      local,
      registry,
      store,
      OPTIONS,
      new Clock(),
    );
    const reaper = new LostCallReaper(
      local,
      lifecycle,
      registry,
      store,
      OPTIONS,
    );
    try {
      await expect(reaper.scan()).resolves.toEqual([]);
      await expect(reaper.scan()).resolves.toEqual([]);
      const outages = warn.mock.calls.filter(
        ([entry]) =>
          (entry as { msg?: string }).msg ===
          'Lost-call reaper: Redis unreachable (not connected); retrying',
      );
      expect(outages).toHaveLength(1);
    } finally {
      await registry.close();
      jest.restoreAllMocks();
    }
  });
});
