import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import type { CallEndReason, LiveCallControl } from '../call.types';
import { CallsService } from '../calls.service';
import { Clock } from '../clock.service';
import {
  createCallRouting,
  type CallRouting,
} from '../registry/create-call-registry';
import {
  deleteKeys,
  describeRedis,
  randomKeyPrefix,
  TEST_REDIS_URL,
  UNREACHABLE_REDIS_URL,
} from '../registry/redis-test.fixture';
import { InMemoryCallStore } from '../store/in-memory-call-store.driver';
import type { EndCallRequest } from './call-router.interface';
import { RedisCallRouter } from './redis-call-router.driver';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;
const incoming = (n: number) => ({
  callSid: sid(n),
  from: '+15550000001',
  to: '+15550000002',
});
/** Small enough to watch calls expire and owners time out within a test. */
const TIMINGS = { ttlMs: 300, heartbeatMs: 100, endTimeoutMs: 300 };

describeRedis('RedisCallRouter', () => {
  let admin: Redis;
  let prefix: string;
  const routers: RedisCallRouter[] = [];

  const router = async (instanceId: string) => {
    const created = new RedisCallRouter({
      url: TEST_REDIS_URL,
      instanceId,
      keyPrefix: prefix,
    });
    routers.push(created);
    await created.whenListening();
    return created;
  };

  beforeAll(() => {
    admin = new Redis(TEST_REDIS_URL);
  });

  beforeEach(() => {
    prefix = randomKeyPrefix();
  });

  afterEach(async () => {
    await Promise.all(routers.splice(0).map((r) => r.close()));
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await admin.quit();
  });

  it('delivers an end request to the instance it is addressed to', async () => {
    const a = await router('instance-a');
    const b = await router('instance-b');
    const received: EndCallRequest[] = [];
    let delivered!: () => void;
    const arrived = new Promise<void>((r) => (delivered = r));
    b.onEndRequest((request) => {
      received.push(request);
      delivered();
      return Promise.resolve();
    });
    a.onEndRequest(() => Promise.reject(new Error('not for a')));

    await expect(
      a.sendEndRequest('instance-b', { callSid: sid(1), reason: 'admin' }),
    ).resolves.toBe(true);
    await arrived;
    expect(received).toEqual([{ callSid: sid(1), reason: 'admin' }]);
    // Nobody listens for an instance that is gone.
    await expect(
      a.sendEndRequest('instance-gone', { callSid: sid(1), reason: 'admin' }),
    ).resolves.toBe(false);
  });

  it('logs and ignores malformed requests', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation();
    const b = await router('instance-b');
    const handler = jest.fn(() => Promise.resolve());
    b.onEndRequest(handler);
    await admin.publish(`${prefix}end:instance-b`, 'not json');
    await admin.publish(`${prefix}end:instance-b`, '{"reason":"admin"}');
    await sleep(50);
    expect(handler).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('reports health', async () => {
    const a = await router('instance-a');
    await expect(a.health()).resolves.toEqual({
      backend: 'redis',
      ok: true,
      detail: `listening on ${prefix}end:instance-a`,
    });
    await a.close();
    await expect(a.health()).resolves.toMatchObject({ ok: false });
  });
});

describeRedis('CallsService on several instances sharing Redis', () => {
  let admin: Redis;
  let prefix: string;
  let store: InMemoryCallStore;
  const routings: CallRouting[] = [];

  interface Instance {
    calls: CallsService;
    routing: CallRouting;
    hangUp: jest.Mock<Promise<void>, [string]>;
  }

  /** One instance: its own registry and router, the shared store (PostgreSQL in production). */
  const instance = async (instanceId: string): Promise<Instance> => {
    const routing = createCallRouting(
      TEST_REDIS_URL,
      instanceId,
      prefix,
      TIMINGS,
    );
    routings.push(routing);
    await (routing.router as RedisCallRouter).whenListening();
    const hangUp = jest
      .fn<Promise<void>, [string]>()
      .mockResolvedValue(undefined);
    const calls = new CallsService(
      routing.registry,
      store,
      { maxConcurrentCalls: 5, drainTimeoutMs: 0 },
      new Clock(),
      { hangUp },
      routing.router,
    );
    return { calls, routing, hangUp };
  };

  /** A carrier that, like the Twilio bridge, ends the call through the service it attached to. */
  const bridge = (calls: CallsService, callSid: string) =>
    ({
      end: jest.fn((reason: CallEndReason) => calls.end(callSid, reason)),
    }) satisfies LiveCallControl;

  /** What a crash leaves: no heartbeats, no subscription, calls still in Redis. */
  const crash = async (dead: Instance) => {
    await dead.routing.registry.close();
    await dead.routing.router.close();
  };

  beforeAll(() => {
    admin = new Redis(TEST_REDIS_URL);
  });

  beforeEach(() => {
    prefix = randomKeyPrefix();
    store = new InMemoryCallStore();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation();
    jest.spyOn(Logger.prototype, 'log').mockImplementation();
  });

  afterEach(async () => {
    for (const { registry, router } of routings.splice(0)) {
      await registry.close();
      await router.close();
    }
    await deleteKeys(admin, prefix);
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await admin.quit();
  });

  it("reaches the owner's carrier from another instance", async () => {
    const a = await instance('instance-a');
    const b = await instance('instance-b');
    await a.calls.reserve(incoming(1));
    const carrier = bridge(a.calls, sid(1));
    await expect(a.calls.attach(sid(1), carrier, 'MZ1')).resolves.toBe(true);

    await expect(b.calls.list()).resolves.toEqual([
      expect.objectContaining({ callSid: sid(1), instanceId: 'instance-a' }),
    ]);
    await expect(b.calls.requestEnd(sid(1), 'admin')).resolves.toBe(true);
    expect(carrier.end).toHaveBeenCalledWith('admin');
    expect(a.hangUp).toHaveBeenCalledWith(sid(1));
    expect(b.hangUp).not.toHaveBeenCalled();
    await expect(b.calls.liveCount()).resolves.toBe(0);
    await expect(b.calls.get(sid(1))).resolves.toMatchObject({
      status: 'completed',
      endReason: 'admin',
    });
  });

  it('routes to the instance carrying the stream, not the one that took the webhook', async () => {
    const a = await instance('instance-a');
    const b = await instance('instance-b');
    await a.calls.reserve(incoming(1));
    const carrier = bridge(b.calls, sid(1));
    await expect(b.calls.attach(sid(1), carrier, 'MZ1')).resolves.toBe(true);
    // A second stream for the call, on any instance, is refused.
    await expect(
      a.calls.attach(sid(1), bridge(a.calls, sid(1)), 'MZ2'),
    ).resolves.toBe(false);
    await expect(
      b.calls.attach(sid(1), bridge(b.calls, sid(1)), 'MZ3'),
    ).resolves.toBe(false);

    // a shutting down leaves b's call alone...
    await a.calls.endAll('shutdown');
    expect(carrier.end).not.toHaveBeenCalled();
    await expect(a.calls.liveCount()).resolves.toBe(1);
    // ...and an end request on a reaches b.
    await expect(a.calls.requestEnd(sid(1), 'max-duration')).resolves.toBe(
      true,
    );
    expect(carrier.end).toHaveBeenCalledWith('max-duration');
    await expect(a.calls.get(sid(1))).resolves.toMatchObject({
      endReason: 'max-duration',
    });
  });

  it('hangs up and ends the call itself when the owner is gone', async () => {
    const a = await instance('instance-a');
    const b = await instance('instance-b');
    await a.calls.reserve(incoming(1));
    await a.calls.attach(sid(1), bridge(a.calls, sid(1)), 'MZ1');
    await crash(a);

    const started = Date.now();
    await expect(b.calls.requestEnd(sid(1), 'admin')).resolves.toBe(true);
    // Nobody listens on a's channel: no need to wait for it.
    expect(Date.now() - started).toBeLessThan(TIMINGS.endTimeoutMs);
    expect(b.hangUp).toHaveBeenCalledWith(sid(1));
    await expect(b.calls.liveCount()).resolves.toBe(0);
    await expect(b.calls.get(sid(1))).resolves.toMatchObject({
      status: 'completed',
      endReason: 'admin',
    });
  });

  it('hangs up and ends the call itself when the owner does not answer in time', async () => {
    const a = await instance('instance-a');
    const b = await instance('instance-b');
    await a.calls.reserve(incoming(1));
    a.routing.router.onEndRequest(() => Promise.resolve()); // a is stuck
    const started = Date.now();
    await expect(b.calls.requestEnd(sid(1), 'idle-timeout')).resolves.toBe(
      true,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(
      TIMINGS.endTimeoutMs - 10,
    );
    expect(b.hangUp).toHaveBeenCalledWith(sid(1));
    await expect(a.calls.get(sid(1))).resolves.toMatchObject({
      endReason: 'idle-timeout',
    });
    await expect(a.calls.liveCount()).resolves.toBe(0);
  });

  it('finishes the record of a call whose owner died and expired', async () => {
    const a = await instance('instance-a');
    const b = await instance('instance-b');
    await a.calls.reserve(incoming(1));
    await crash(a);
    await sleep(TIMINGS.ttlMs + 100);
    await expect(b.calls.list()).resolves.toEqual([]);

    await expect(b.calls.requestEnd(sid(1), 'admin')).resolves.toBe(true);
    expect(b.hangUp).toHaveBeenCalledWith(sid(1));
    await expect(b.calls.get(sid(1))).resolves.toMatchObject({
      status: 'completed',
      endReason: 'admin',
    });
  });
});

describe('createCallRouting without Redis', () => {
  it('is in-memory and local', async () => {
    const { registry, router } = createCallRouting(undefined, 'instance-a');
    expect(registry.instanceId).toBe('instance-a');
    expect(router.instanceId).toBe('instance-a');
    await expect(
      router.sendEndRequest('instance-b', { callSid: sid(1), reason: 'admin' }),
    ).resolves.toBe(false);
    await expect(registry.health()).resolves.toMatchObject({ ok: true });
    await expect(router.health()).resolves.toMatchObject({ ok: true });
    await registry.close();
    await router.close();
  });
});

describe('RedisCallRouter without Redis', () => {
  it('fails to send quickly and reports itself unhealthy', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation();
    const r = new RedisCallRouter({
      url: UNREACHABLE_REDIS_URL,
      instanceId: 'instance-a',
    });
    const started = Date.now();
    await expect(
      r.sendEndRequest('instance-b', { callSid: sid(1), reason: 'admin' }),
    ).rejects.toThrow();
    await expect(r.health()).resolves.toMatchObject({
      backend: 'redis',
      ok: false,
    });
    expect(Date.now() - started).toBeLessThan(1500);
    await r.close();
    jest.restoreAllMocks();
  });
});
