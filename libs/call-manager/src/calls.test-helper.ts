import { Logger } from '@nestjs/common';
import type { CallManagerOptions } from './call-manager.constants';
import type {
  CallEndReason,
  CallHangup,
  CallRecord,
  LiveCallControl,
} from './call.types';
import { CallDrain } from './call-drain.service';
import { CallEndRouting } from './call-end.routing';
import { CallRegistration } from './call-registration.service';
import { CallsService } from './calls.service';
import { Clock } from './clock.service';
import { LocalCalls } from './local-calls.state';
import type { CallRegistry } from './registry/call-registry.interface';
import { InMemoryCallRegistry } from './registry/in-memory-call-registry.driver';
import type {
  CallRouter,
  EndCallHandler,
  EndCallRequest,
} from './routing/call-router.interface';
import type { CallStore } from './store/call-store.interface';

/** Shared fixtures of the CallsService specs (one file per part: lifecycle, routing, drain). */

/** A clock that starts at 2025-01-01T12:00:00Z and moves only when told. */
export class FakeClock extends Clock {
  private time = Date.parse('2025-01-01T12:00:00.000Z');

  /** The fake time. */
  now(): Date {
    return new Date(this.time);
  }

  /** Moves the clock on by `seconds` (seconds). */
  advance(seconds: number): void {
    this.time += seconds * 1000;
  }
}

export const sid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;
export const incoming = (n: number) => ({
  callSid: sid(n),
  from: '+15550000001',
  to: '+15550000002',
  direction: 'inbound' as const,
});

/** Lets setImmediate callbacks (the transcript flush) and the writes they start run. */
export const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

/** A control whose `end` is a mock running `onEnd`. */
export const control = (
  onEnd: (reason: CallEndReason) => Promise<void> | void = () => undefined,
) => ({ end: jest.fn(onEnd) }) satisfies LiveCallControl;

/** A control that, like the Twilio bridge, ends the call through the service. */
export const bridgeOf = (calls: CallsService, callSid: string) =>
  control((reason) => calls.end(callSid, reason));

/** Store updates that wrote the final state. */
export const finalWrites = (
  update: jest.SpyInstance<Promise<boolean>, [string, Partial<CallRecord>]>,
) => update.mock.calls.filter(([, patch]) => patch.endedAt !== undefined);

/** A promise the test settles. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Silences the logger; returns the error and warn spies. */
export function quietLogs() {
  const logError = jest.spyOn(Logger.prototype, 'error').mockImplementation();
  const logWarn = jest.spyOn(Logger.prototype, 'warn').mockImplementation();
  jest.spyOn(Logger.prototype, 'log').mockImplementation();
  return { logError, logWarn };
}

export interface CallsDeps {
  registry: CallRegistry;
  store: CallStore;
  clock: Clock;
  options?: CallManagerOptions;
  hangup?: CallHangup;
  router?: CallRouter;
}

/**
 * A CallsService wired as CallManagerModule wires it: its parts built first, sharing one
 * LocalCalls (returned too, for the specs that look at what this process holds).
 */
export function assembleCalls(deps: CallsDeps) {
  const { registry, store, clock, hangup, router } = deps;
  const options = deps.options ?? { maxConcurrentCalls: 2, drainTimeoutMs: 0 };
  const local = new LocalCalls(store, router);
  const lifecycle = new CallRegistration(
    local,
    registry,
    store,
    options,
    clock,
  );
  const routing = new CallEndRouting(
    local,
    lifecycle,
    registry,
    store,
    options,
    hangup,
    router,
  );
  const drain = new CallDrain(local, routing, registry, options);
  const calls = new CallsService(
    registry,
    store,
    options,
    clock,
    hangup,
    router,
    undefined,
    lifecycle,
    routing,
    drain,
  );
  return { calls, local };
}

/** Carries nothing: records what is sent and keeps the handler for the test to call. */
export class FakeRouter implements CallRouter {
  readonly endTimeoutMs = 150;
  handler: EndCallHandler | undefined;
  readonly sendEndRequest = jest
    .fn<Promise<boolean>, [string, EndCallRequest]>()
    .mockResolvedValue(false);

  constructor(readonly instanceId: string) {}

  onEndRequest(handler: EndCallHandler): void {
    this.handler = handler;
  }
}

/**
 * This instance is instance-a; every call it reserves or attaches is held by `owner` in the
 * registry (as if its stream had attached there). Returns the registry itself, the service and
 * its LocalCalls.
 */
export function callsOnInstanceA(
  owner: string,
  deps: Omit<CallsDeps, 'registry'>,
) {
  const registry = new InMemoryCallRegistry(owner);
  const view = new Proxy(registry, {
    get: (target, key): unknown => {
      if (key === 'instanceId') return 'instance-a';
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  return { registry, ...assembleCalls({ ...deps, registry: view }) };
}
