import type { CallsService } from './calls.service';
import {
  FakeClock,
  assembleCalls,
  control,
  incoming,
  quietLogs,
  sid,
} from './calls.test-helper';
import { PendingCallSlot } from './pending-call-slot';
import { InMemoryCallRegistry } from './registry/in-memory-call-registry.driver';
import { InMemoryCallStore } from './store/in-memory-call-store.driver';

const dialled = { from: '+15550000009', to: '+15550000042' } as const;

/** Outbound capacity: a slot is taken before the carrier names the call (CallsService.holdSlot). */
describe('CallsService.holdSlot (PendingCallSlot)', () => {
  let registry: InMemoryCallRegistry;
  let store: InMemoryCallStore;
  let calls: CallsService;

  beforeEach(() => {
    registry = new InMemoryCallRegistry();
    store = new InMemoryCallStore();
    ({ calls } = assembleCalls({ registry, store, clock: new FakeClock() }));
    quietLogs();
  });

  afterEach(() => jest.restoreAllMocks());

  async function hold(): Promise<PendingCallSlot> {
    const slot = await calls.holdSlot(dialled);
    if (!(slot instanceof PendingCallSlot)) throw new Error(String(slot));
    return slot;
  }

  it('counts against capacity while the call is placed, without showing in the live list', async () => {
    await calls.reserve(incoming(1));
    const slot = await hold();
    await expect(calls.liveCount()).resolves.toBe(2);
    await expect(calls.list()).resolves.toEqual([
      expect.objectContaining({ callSid: sid(1), direction: 'inbound' }),
    ]);
    // maxConcurrentCalls is 2: neither an inbound call nor another outbound slot fits now.
    await expect(calls.reserve(incoming(2))).resolves.toBe('at-capacity');
    await expect(calls.holdSlot(dialled)).resolves.toBe('at-capacity');
    await slot.release();
    await expect(calls.liveCount()).resolves.toBe(1);
  });

  it('claims: the named call takes the slot at full capacity, and the placeholder is gone', async () => {
    await calls.reserve(incoming(1));
    const slot = await hold();
    const owner = control();
    await expect(
      slot.claim({ callSid: sid(7), ...dialled, direction: 'outbound' }, owner),
    ).resolves.toBe('reserved');
    await expect(calls.liveCount()).resolves.toBe(2);
    expect((await registry.list()).map((c) => c.callSid).sort()).toEqual(
      [sid(1), sid(7)].sort(),
    );
    await expect(calls.get(sid(7))).resolves.toMatchObject({
      direction: 'outbound',
      status: 'ringing',
      ...dialled,
    });
    // Still full: the claim never let capacity grow.
    await expect(calls.holdSlot(dialled)).resolves.toBe('at-capacity');
    // The claimed call is owned by its control like any reserved call.
    await expect(calls.requestEnd(sid(7), 'admin')).resolves.toBe(true);
    expect(owner.end).toHaveBeenCalledWith('admin');
  });

  it('settles once: release after claim changes nothing, a second claim rejects', async () => {
    const slot = await hold();
    await slot.claim({ callSid: sid(3), ...dialled, direction: 'outbound' });
    await slot.release();
    await expect(calls.liveCount()).resolves.toBe(1);
    await expect(
      slot.claim({ callSid: sid(4), ...dialled, direction: 'outbound' }),
    ).rejects.toThrow('already settled');
  });

  it('frees the placeholder even when the named reserve fails', async () => {
    const slot = await hold();
    jest.spyOn(store, 'create').mockRejectedValueOnce(new Error('store down'));
    await expect(
      slot.claim({ callSid: sid(5), ...dialled, direction: 'outbound' }),
    ).rejects.toThrow('store down');
    await expect(calls.liveCount()).resolves.toBe(0);
  });

  it('is refused while draining for shutdown', async () => {
    await calls.beforeApplicationShutdown();
    await expect(calls.holdSlot(dialled)).resolves.toBe('unavailable');
  });

  it('records who answered on the live call and its record', async () => {
    const slot = await hold();
    await slot.claim({ callSid: sid(6), ...dialled, direction: 'outbound' });
    await calls.recordAnsweredBy(sid(6), 'human');
    await expect(calls.get(sid(6))).resolves.toMatchObject({
      answeredBy: 'human',
    });
    await expect(calls.list()).resolves.toEqual([
      expect.objectContaining({ callSid: sid(6), answeredBy: 'human' }),
    ]);
  });
});
