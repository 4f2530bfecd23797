import type { CallManagerOptions } from '../call-manager.constants';
import { CallDrain } from '../call-drain.service';
import { CallEndRouting } from '../call-end.routing';
import { CallRegistration } from '../call-registration.service';
import { CallsService } from '../calls.service';
import { Clock } from '../clock.service';
import type { CallEvents } from '../events/call-events';
import { LocalCalls } from '../local-calls.state';
import { RedisCallRegistry } from '../registry/redis-call-registry.driver';
import { TEST_REDIS_URL } from '../registry/redis-test.fixture';
import type { CallStore } from '../store/call-store.interface';
import { LostCallReaper, type ReapedCall } from './lost-call.reaper';

/** Fixtures of the LostCallReaper specs. */

/** Small enough to watch calls expire within a test. */
export const FAST = { heartbeatMs: 50, ttlMs: 200 };
export const OPTIONS: CallManagerOptions = {
  maxConcurrentCalls: 10,
  drainTimeoutMs: 0,
  stepTimeoutMs: 2000,
  // The tests call scan() themselves.
  lostCalls: { graceMs: 0, scanEveryMs: 60_000 },
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const bySid = (a: ReapedCall, b: ReapedCall) =>
  a.callSid.localeCompare(b.callSid);

/** One instance: its own registry connection, LocalCalls and reaper, over the shared store. */
export function instance(
  id: string,
  prefix: string,
  store: CallStore,
  withHangup = true,
) {
  const registry = new RedisCallRegistry({
    url: TEST_REDIS_URL,
    instanceId: id,
    keyPrefix: prefix,
    ...FAST,
  });
  const hangup = withHangup
    ? { hangUp: jest.fn<Promise<void>, [string]>().mockResolvedValue() }
    : undefined;
  const events = { emit: jest.fn<void, [string, unknown]>() };
  const local = new LocalCalls(store);
  const lifecycle = new CallRegistration(
    local,
    registry,
    store,
    OPTIONS,
    new Clock(),
    events as unknown as CallEvents,
  );
  const routing = new CallEndRouting(
    local,
    lifecycle,
    registry,
    store,
    OPTIONS,
    hangup,
  );
  const drain = new CallDrain(local, routing, registry, OPTIONS);
  const calls = new CallsService(
    registry,
    store,
    OPTIONS,
    new Clock(),
    hangup,
    undefined,
    undefined,
    lifecycle,
    routing,
    drain,
  );
  const reaper = new LostCallReaper(
    local,
    lifecycle,
    registry,
    store,
    OPTIONS,
    hangup,
  );
  return { registry, calls, reaper, hangup, events };
}

export type Instance = ReturnType<typeof instance>;
