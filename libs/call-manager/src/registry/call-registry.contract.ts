import type { LiveCallSummary } from '../call.types';
import type { CallRegistry } from './call-registry.interface';

/** Behaviour every CallRegistry backend must show. Call from a backend's spec file. */
export function callRegistryContract(
  backend: string,
  create: () => CallRegistry | Promise<CallRegistry>,
  dispose?: (registry: CallRegistry) => void | Promise<void>,
): void {
  describe(`${backend} (CallRegistry contract)`, () => {
    let registry: CallRegistry;

    const call = (n: number, extra: Partial<LiveCallSummary> = {}) => ({
      callSid: `CA${n.toString(16).padStart(32, '0')}`,
      from: '+15550000001',
      to: '+15550000002',
      status: 'ringing' as const,
      startedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
      ...extra,
    });
    /** A call as the registry holds it: owned by the registry's instance (if it has one). */
    const mine = (n: number, extra: Partial<LiveCallSummary> = {}) => ({
      ...call(n, extra),
      instanceId: registry.instanceId,
    });

    beforeEach(async () => {
      registry = await create();
    });

    afterEach(async () => {
      await dispose?.(registry);
    });

    it('reserves a call and returns it', async () => {
      await expect(registry.reserve(call(1), 5)).resolves.toBe('reserved');
      await expect(registry.get(call(1).callSid)).resolves.toEqual(mine(1));
      await expect(registry.count()).resolves.toBe(1);
      await expect(registry.list()).resolves.toEqual([mine(1)]);
    });

    it('reports a live CallSid as a duplicate, even at capacity', async () => {
      await registry.reserve(call(1), 1);
      await expect(registry.reserve(call(1), 1)).resolves.toBe('duplicate');
      await expect(registry.reserve(call(1), 5)).resolves.toBe('duplicate');
      await expect(registry.count()).resolves.toBe(1);
    });

    it('refuses calls beyond max', async () => {
      await expect(registry.reserve(call(1), 2)).resolves.toBe('reserved');
      await expect(registry.reserve(call(2), 2)).resolves.toBe('reserved');
      await expect(registry.reserve(call(3), 2)).resolves.toBe('at-capacity');
      await expect(registry.get(call(3).callSid)).resolves.toBeUndefined();
      await expect(registry.reserve(call(3), 0)).resolves.toBe('at-capacity');
    });

    it('reserves atomically under concurrency', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, n) => registry.reserve(call(n), 3)),
      );
      expect(results.filter((r) => r === 'reserved')).toHaveLength(3);
      expect(results.filter((r) => r === 'at-capacity')).toHaveLength(7);
      await expect(registry.count()).resolves.toBe(3);

      const same = await Promise.all(
        Array.from({ length: 5 }, () => registry.reserve(call(99), 100)),
      );
      expect(same.filter((r) => r === 'reserved')).toHaveLength(1);
      expect(same.filter((r) => r === 'duplicate')).toHaveLength(4);
    });

    it('frees a slot when a call is removed', async () => {
      await registry.reserve(call(1), 1);
      await expect(registry.remove(call(1).callSid)).resolves.toBe(true);
      await expect(registry.remove(call(1).callSid)).resolves.toBe(false);
      await expect(registry.get(call(1).callSid)).resolves.toBeUndefined();
      await expect(registry.count()).resolves.toBe(0);
      await expect(registry.reserve(call(2), 1)).resolves.toBe('reserved');
    });

    it('updates a live call, ignoring callSid, instanceId and undefined values', async () => {
      await registry.reserve(call(1), 5);
      const answeredAt = '2025-01-01T00:01:00.000Z';
      await expect(
        registry.update(call(1).callSid, {
          status: 'in-progress',
          answeredAt,
          streamSid: 'MZ1',
          callSid: 'CAother',
          instanceId: 'another-instance',
          from: undefined,
        }),
      ).resolves.toBe(true);
      await expect(registry.get(call(1).callSid)).resolves.toEqual({
        ...mine(1),
        status: 'in-progress',
        answeredAt,
        streamSid: 'MZ1',
      });
      await expect(registry.get('CAother')).resolves.toBeUndefined();
    });

    it('does not update or resurrect an unknown call', async () => {
      await expect(
        registry.update(call(1).callSid, { status: 'in-progress' }),
      ).resolves.toBe(false);
      await expect(registry.get(call(1).callSid)).resolves.toBeUndefined();
      await expect(registry.count()).resolves.toBe(0);
    });

    it('hands out copies', async () => {
      const summary = call(1);
      await registry.reserve(summary, 5);
      summary.from = 'changed';
      const got = await registry.get(summary.callSid);
      got!.status = 'completed';
      const [listed] = await registry.list();
      listed.to = 'changed';
      await expect(registry.get(summary.callSid)).resolves.toEqual(mine(1));
    });

    describe('claimStream', () => {
      const answeredAt = '2025-01-01T00:01:00.000Z';

      it('gives a live call its stream once', async () => {
        await registry.reserve(call(1), 5);
        await expect(
          registry.claimStream(call(1).callSid, 'MZ1', {
            status: 'in-progress',
            answeredAt,
          }),
        ).resolves.toBe(true);
        const claimed = {
          ...mine(1),
          status: 'in-progress',
          answeredAt,
          streamSid: 'MZ1',
        };
        await expect(registry.get(call(1).callSid)).resolves.toEqual(claimed);

        await expect(
          registry.claimStream(call(1).callSid, 'MZ2', { status: 'failed' }),
        ).resolves.toBe(false);
        await expect(
          registry.claimStream(call(1).callSid, 'MZ1'),
        ).resolves.toBe(false);
        await expect(registry.get(call(1).callSid)).resolves.toEqual(claimed);
        await expect(registry.list()).resolves.toEqual([claimed]);
      });

      it('refuses a call with a stream already set', async () => {
        await registry.reserve(call(1, { streamSid: 'MZ0' }), 5);
        await expect(
          registry.claimStream(call(1).callSid, 'MZ1'),
        ).resolves.toBe(false);
        await expect(registry.get(call(1).callSid)).resolves.toEqual(
          mine(1, { streamSid: 'MZ0' }),
        );
      });

      it('refuses unknown and removed calls, creating nothing', async () => {
        await expect(
          registry.claimStream(call(1).callSid, 'MZ1'),
        ).resolves.toBe(false);
        await registry.reserve(call(2), 5);
        await registry.remove(call(2).callSid);
        await expect(
          registry.claimStream(call(2).callSid, 'MZ2'),
        ).resolves.toBe(false);
        await expect(registry.get(call(1).callSid)).resolves.toBeUndefined();
        await expect(registry.get(call(2).callSid)).resolves.toBeUndefined();
        await expect(registry.count()).resolves.toBe(0);
      });

      it('ignores callSid, instanceId and streamSid in the patch', async () => {
        await registry.reserve(call(1), 5);
        await expect(
          registry.claimStream(call(1).callSid, 'MZ1', {
            callSid: 'CAother',
            instanceId: 'another-instance',
            streamSid: 'MZother',
            answeredAt,
          }),
        ).resolves.toBe(true);
        await expect(registry.get(call(1).callSid)).resolves.toEqual(
          mine(1, { streamSid: 'MZ1', answeredAt }),
        );
        await expect(registry.get('CAother')).resolves.toBeUndefined();
      });

      it('lets exactly one of concurrent claims win', async () => {
        await registry.reserve(call(1), 5);
        const results = await Promise.all(
          Array.from({ length: 5 }, (_, n) =>
            registry.claimStream(call(1).callSid, `MZ${n}`),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = `MZ${results.indexOf(true)}`;
        await expect(registry.get(call(1).callSid)).resolves.toEqual(
          mine(1, { streamSid: winner }),
        );
      });
    });
  });
}
