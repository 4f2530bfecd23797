import type { CallRecord } from '../call.types';
import { callStoreContract } from './call-store.contract';
import { InMemoryCallStore } from './in-memory-call-store.driver';

callStoreContract('InMemoryCallStore', () => new InMemoryCallStore());

describe('InMemoryCallStore bounds', () => {
  const sid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;
  const record = (n: number): CallRecord => ({
    callSid: sid(n),
    from: '+15550000001',
    to: '+15550000002',
    status: 'in-progress',
    startedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
    transcript: [],
  });

  it('keeps at most maxEndedCalls ended calls, evicting the earliest ended', async () => {
    const store = new InMemoryCallStore({ maxEndedCalls: 2 });
    for (let n = 1; n <= 4; n++) await store.create(record(n));

    // End in the order 3, 1, 2: call 3 is the first to be evicted.
    for (const n of [3, 1, 2]) {
      await store.update(sid(n), { status: 'completed' });
    }
    await expect(store.get(sid(3))).resolves.toBeUndefined();
    await expect(store.get(sid(1))).resolves.toBeDefined();
    await expect(store.get(sid(2))).resolves.toBeDefined();

    // A later update to an ended call does not refresh its place.
    await store.update(sid(1), { twilioStatus: 'completed' });
    await store.update(sid(4), { status: 'failed' });
    await expect(store.get(sid(1))).resolves.toBeUndefined();
    await expect(store.get(sid(2))).resolves.toBeDefined();
    await expect(store.get(sid(4))).resolves.toBeDefined();
  });

  it('never evicts live calls', async () => {
    const store = new InMemoryCallStore({ maxEndedCalls: 1 });
    for (let n = 1; n <= 5; n++) await store.create(record(n));
    await store.create({ ...record(6), status: 'completed' });
    await store.create({ ...record(7), status: 'failed' });
    const all = await store.list({});
    expect(all.map((r) => r.callSid)).toEqual([
      sid(7),
      sid(5),
      sid(4),
      sid(3),
      sid(2),
      sid(1),
    ]);
  });

  it('defaults to 10,000 ended calls', async () => {
    const store = new InMemoryCallStore();
    for (let n = 0; n <= 10_000; n++) {
      await store.create({ ...record(n), status: 'completed' });
    }
    await expect(store.get(sid(0))).resolves.toBeUndefined();
    await expect(store.get(sid(1))).resolves.toBeDefined();
    await expect(store.get(sid(10_000))).resolves.toBeDefined();
  });
});
