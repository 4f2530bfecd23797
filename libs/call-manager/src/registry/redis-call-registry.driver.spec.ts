import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { LiveCallSummary } from '../call.types';
import { callRegistryContract } from './call-registry.contract';
import {
  RedisCallRegistry,
  type RedisCallRegistryOptions,
} from './redis-call-registry.driver';
import {
  deleteKeys,
  describeRedis,
  randomKeyPrefix,
  TEST_REDIS_URL,
  UNREACHABLE_REDIS_URL,
} from './redis-test.fixture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;
const call = (n: number): LiveCallSummary => ({
  callSid: sid(n),
  from: '+15550000001',
  to: '+15550000002',
  status: 'ringing',
  startedAt: '2025-01-01T00:00:00.000Z',
});
/** Small enough to watch calls expire within a test. */
const FAST = { ttlMs: 300, heartbeatMs: 100 };

describeRedis('RedisCallRegistry', () => {
  let admin: Redis;
  const prefixes = new Set<string>();
  const open = new Set<RedisCallRegistry>();

  const registry = (
    options: Partial<RedisCallRegistryOptions> & { keyPrefix: string },
  ) => {
    prefixes.add(options.keyPrefix);
    const created = new RedisCallRegistry({
      url: TEST_REDIS_URL,
      instanceId: 'instance-a',
      ...options,
    });
    open.add(created);
    return created;
  };

  beforeAll(() => {
    admin = new Redis(TEST_REDIS_URL);
  });

  afterEach(async () => {
    await Promise.all([...open].map((r) => r.close()));
    open.clear();
    for (const prefix of prefixes) await deleteKeys(admin, prefix);
    prefixes.clear();
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await admin.quit();
  });

  callRegistryContract('RedisCallRegistry', () =>
    registry({ keyPrefix: randomKeyPrefix() }),
  );

  describe('shared by several instances', () => {
    let prefix: string;
    let a: RedisCallRegistry;
    let b: RedisCallRegistry;

    beforeEach(() => {
      prefix = randomKeyPrefix();
      a = registry({ keyPrefix: prefix, instanceId: 'instance-a', ...FAST });
      b = registry({ keyPrefix: prefix, instanceId: 'instance-b', ...FAST });
    });

    it("sees the other instance's calls, with their owner", async () => {
      await a.reserve(call(1), 5);
      await b.reserve(call(2), 5);
      for (const r of [a, b]) {
        const listed = await r.list();
        expect(
          listed.sort((x, y) => x.callSid.localeCompare(y.callSid)),
        ).toEqual([
          { ...call(1), instanceId: 'instance-a' },
          { ...call(2), instanceId: 'instance-b' },
        ]);
        await expect(r.count()).resolves.toBe(2);
        await expect(r.get(sid(1))).resolves.toMatchObject({
          instanceId: 'instance-a',
        });
      }
    });

    it('shares capacity and duplicate detection', async () => {
      await expect(a.reserve(call(1), 2)).resolves.toBe('reserved');
      await expect(b.reserve(call(1), 2)).resolves.toBe('duplicate');
      await expect(b.reserve(call(2), 2)).resolves.toBe('reserved');
      await expect(a.reserve(call(3), 2)).resolves.toBe('at-capacity');
      await expect(b.reserve(call(3), 2)).resolves.toBe('at-capacity');

      const results = await Promise.all(
        [4, 5, 6, 7].map((n) => (n % 2 ? a : b).reserve(call(n), 4)),
      );
      expect(results.filter((r) => r === 'reserved')).toHaveLength(2);
    });

    it('lets any instance remove a call, true only for the remover', async () => {
      await a.reserve(call(1), 5);
      await expect(b.remove(sid(1))).resolves.toBe(true);
      await expect(a.remove(sid(1))).resolves.toBe(false);
      await expect(a.count()).resolves.toBe(0);
    });

    it("drops a dead instance's calls within the ttl, keeping live instances' calls", async () => {
      await a.reserve(call(1), 2);
      await b.reserve(call(2), 2);
      await a.close(); // stops heart-beating without removing its call

      await sleep(FAST.ttlMs + 100);
      await expect(b.list()).resolves.toEqual([
        { ...call(2), instanceId: 'instance-b' },
      ]);
      await expect(b.get(sid(1))).resolves.toBeUndefined();
      await expect(b.count()).resolves.toBe(1);
      // Its slot is free again.
      await expect(b.reserve(call(3), 2)).resolves.toBe('reserved');
    });

    it('refuses a second stream across instances and hands the call to the streaming one', async () => {
      await a.reserve(call(1), 5);
      await expect(
        b.claimStream(sid(1), 'MZ1', { status: 'in-progress' }),
      ).resolves.toBe(true);
      await expect(a.claimStream(sid(1), 'MZ2')).resolves.toBe(false);
      await expect(b.claimStream(sid(1), 'MZ3')).resolves.toBe(false);
      await expect(a.get(sid(1))).resolves.toEqual({
        ...call(1),
        status: 'in-progress',
        streamSid: 'MZ1',
        instanceId: 'instance-b',
      });

      // instance-b now keeps it alive, and instance-a stops doing so: when b dies, the call goes.
      await sleep(FAST.ttlMs + 100);
      await expect(a.count()).resolves.toBe(1);
      await b.close();
      await sleep(FAST.ttlMs + 100);
      await expect(a.get(sid(1))).resolves.toBeUndefined();
    });

    it('re-registers an owned call that expired (e.g. during an outage), not one ended elsewhere', async () => {
      jest.spyOn(Logger.prototype, 'warn').mockImplementation();
      await a.reserve(call(1), 5);
      await a.reserve(call(2), 5);
      await a.claimStream(sid(1), 'MZ1');
      // What expiry during an outage leaves behind: nothing.
      await admin.del(`${prefix}call:${sid(1)}`);
      await admin.zrem(`${prefix}calls`, sid(1));
      await b.remove(sid(2));

      await sleep(FAST.heartbeatMs * 2);
      await expect(b.get(sid(1))).resolves.toEqual({
        ...call(1),
        streamSid: 'MZ1',
        instanceId: 'instance-a',
      });
      await expect(b.get(sid(2))).resolves.toBeUndefined();
      await expect(b.count()).resolves.toBe(1);
    });
  });

  it('re-registers its calls as soon as it reconnects', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation();
    const prefix = randomKeyPrefix();
    // A name no other test's connection has, so we kill only this one.
    const instanceId = `reconnecting-${randomUUID()}`;
    // Heartbeats too rare to matter here: only the reconnection re-registers.
    const a = registry({
      keyPrefix: prefix,
      instanceId,
      heartbeatMs: 5000,
      ttlMs: 10000,
    });
    await a.reserve(call(1), 5);
    await admin.del(`${prefix}call:${sid(1)}`);
    await admin.zrem(`${prefix}calls`, sid(1));
    const clients = String(await admin.client('LIST'));
    const id = new RegExp(
      `id=(\\d+) [^\\n]* name=vg-registry-${instanceId} `,
    ).exec(clients)?.[1];
    expect(id).toBeDefined();
    await admin.client('KILL', 'ID', id!);

    for (
      let i = 0;
      i < 60 && !(await admin.exists(`${prefix}call:${sid(1)}`));
      i++
    ) {
      await sleep(25);
    }
    await expect(a.get(sid(1))).resolves.toEqual({ ...call(1), instanceId });
    await expect(a.count()).resolves.toBe(1);
  });

  it('reports health', async () => {
    const r = registry({ keyPrefix: randomKeyPrefix() });
    await expect(r.health()).resolves.toMatchObject({
      backend: 'redis',
      ok: true,
    });
    await r.close();
    await expect(r.health()).resolves.toEqual({
      backend: 'redis',
      ok: false,
      detail: 'closed',
    });
  });

  it('checks heartbeatMs against ttlMs', () => {
    expect(
      () =>
        new RedisCallRegistry({
          url: TEST_REDIS_URL,
          instanceId: 'x',
          heartbeatMs: 500,
          ttlMs: 500,
        }),
    ).toThrow('heartbeatMs (500) must be > 0 and below ttlMs (500)');
  });
});

describe('RedisCallRegistry without Redis', () => {
  let r: RedisCallRegistry;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation();
    r = new RedisCallRegistry({
      url: UNREACHABLE_REDIS_URL,
      instanceId: 'instance-a',
      keyPrefix: randomKeyPrefix(),
      heartbeatMs: 50,
      ttlMs: 150,
    });
  });

  afterEach(async () => {
    await r.close();
    jest.restoreAllMocks();
  });

  it('rejects quickly and reports itself unhealthy', async () => {
    const started = Date.now();
    const results = await Promise.allSettled([
      r.reserve(call(1), 5),
      r.get(sid(1)),
      r.list(),
      r.count(),
      r.claimStream(sid(1), 'MZ1'),
      r.update(sid(1), { status: 'in-progress' }),
      r.remove(sid(1)),
    ]);
    expect(results.every((x) => x.status === 'rejected')).toBe(true);
    const health = await r.health();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(health).toMatchObject({ backend: 'redis', ok: false });
    expect(health.detail).toBe(
      'Redis at 127.0.0.1:1 unreachable (ECONNREFUSED)',
    );
  });

  it('logs the outage once, however many heartbeats fail', async () => {
    await sleep(300);
    const outages = warn.mock.calls.filter(
      ([entry]: [{ msg?: string }]) =>
        entry.msg ===
        'Call registry: Redis at 127.0.0.1:1 unreachable (ECONNREFUSED); retrying',
    );
    expect(outages).toHaveLength(1);
  });
});
