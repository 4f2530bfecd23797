import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ManagedBackend } from '../backend.types';
import type { CallRouter } from '../routing/call-router.interface';
import { LocalCallRouter } from '../routing/local-call-router.driver';
import { RedisCallRouter } from '../routing/redis-call-router.driver';
import type { CallRegistry } from './call-registry.interface';
import { InMemoryCallRegistry } from './in-memory-call-registry.driver';
import {
  DEFAULT_KEY_PREFIX,
  RedisCallRegistry,
} from './redis-call-registry.driver';

/** The live-call registry and the router between instances, chosen together. */
export interface CallRouting {
  registry: CallRegistry & ManagedBackend;
  router: CallRouter & ManagedBackend;
}

/** Timings; the defaults suit production. */
export interface CallRoutingTimings {
  /** How often an instance extends its calls' expiry (default 2000 ms). */
  heartbeatMs?: number;
  /** How long a call outlives its instance's last heartbeat (default 6000 ms). */
  ttlMs?: number;
  /** How long to wait for another instance to end a call it holds (default 3000 ms). */
  endTimeoutMs?: number;
  /** How long one Redis command may take before it rejects (default 1000 ms). */
  commandTimeoutMs?: number;
}

/**
 * With a Redis URL: a registry shared through Redis (calls expire when their instance stops
 * heart-beating) and a pub/sub router that carries end requests to the instance holding a call.
 * Without one: the in-memory registry and a local router (one instance).
 * Both halves hold connections: close both at shutdown (ManagedBackend.close).
 */
export function createCallRouting(
  redisUrl: string | undefined,
  instanceId: string,
  prefix: string = DEFAULT_KEY_PREFIX,
  timings: CallRoutingTimings = {},
): CallRouting {
  if (!redisUrl) {
    return {
      registry: new InMemoryCallRegistry(instanceId),
      router: new LocalCallRouter(instanceId, timings.endTimeoutMs),
    };
  }
  const shared = {
    url: redisUrl,
    instanceId,
    keyPrefix: prefix,
    commandTimeoutMs: timings.commandTimeoutMs,
  };
  return {
    registry: new RedisCallRegistry({
      ...shared,
      heartbeatMs: timings.heartbeatMs,
      ttlMs: timings.ttlMs,
    }),
    router: new RedisCallRouter({
      ...shared,
      endTimeoutMs: timings.endTimeoutMs,
    }),
  };
}

/** A default instance id: `<hostname>-<pid>-<random>`, unique per process start. */
export function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
