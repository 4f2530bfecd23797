import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { BackendStatus, ManagedBackend } from '../backend.types';
import type { LiveCallSummary, ReserveResult } from '../call.types';
import type { CallRegistry } from './call-registry.interface';
import { createRedisClient } from './redis-client.util';
import {
  REGISTRY_SCRIPTS,
  runRegistryScript,
  type RegistryScriptName,
} from './redis-call-registry.scripts';
import { RedisLostCalls } from './redis-lost-calls';
import { redisEndpoint } from './redis-error.util';
import { RedisOutage } from './redis-outage.util';

export interface RedisCallRegistryOptions {
  /** `redis://…` */
  url: string;
  /** This instance's id: the owner stamped on the calls it reserves or streams. */
  instanceId: string;
  /** Prefix of every key (default `vg:`); instances sharing calls must share it. */
  keyPrefix?: string;
  /** How often this instance extends the expiry of the calls it owns (default 2000 ms). */
  heartbeatMs?: number;
  /** How long a call outlives its owner's last heartbeat (default 6000 ms). */
  ttlMs?: number;
  /** How long one Redis command may take before it rejects (default 1000 ms). */
  commandTimeoutMs?: number;
  /** How long a removed call's tombstone stops its owner re-registering it (default 10 min). */
  tombstoneMs?: number;
}

export const DEFAULT_KEY_PREFIX = 'vg:';
export const DEFAULT_HEARTBEAT_MS = 2000;
export const DEFAULT_CALL_TTL_MS = 6000;
const DEFAULT_TOMBSTONE_MS = 10 * 60_000;

/** Keys a patch may not change: the call's identity and its owner. */
const FIXED_KEYS: ReadonlySet<string> = new Set(['callSid', 'instanceId']);

/** claimStream sets streamSid (and the owner) itself. */
const CLAIM_FIXED_KEYS: ReadonlySet<string> = new Set([
  ...FIXED_KEYS,
  'streamSid',
]);

type HeartbeatResult = 'ok' | 'reasserted' | 'lost' | 'ended';

/**
 * Live calls shared by every instance through Redis. Each call carries its owner's instanceId and
 * expires `ttlMs` after its owner's last heartbeat (every `heartbeatMs`), so the calls of an
 * instance that died vanish from every instance's view; `list`, `count` and `reserve` count only
 * calls that have not expired. Every step is one Redis command or Lua script
 * (redis-call-registry.scripts.ts), atomic across instances.
 *
 * Fails fast when Redis is unreachable: each call rejects within about `commandTimeoutMs`. Failed
 * heartbeats are logged once per outage; once Redis answers again the next heartbeat re-registers
 * the calls this instance still holds that expired meanwhile (unless a survivor's LostCallReaper
 * has claimed them: see `lostCalls`).
 */
export class RedisCallRegistry implements CallRegistry, ManagedBackend {
  readonly instanceId: string;
  /** Calls whose owner stopped heart-beating, for the survivors' LostCallReaper. */
  readonly lostCalls: RedisLostCalls;
  private readonly logger = new Logger(RedisCallRegistry.name);
  private readonly redis: Redis;
  private readonly outage: RedisOutage;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly tombstoneMs: number;
  /** Calls this instance owns, as last known here: what heartbeats extend (or re-register). */
  private readonly owned = new Map<string, LiveCallSummary>();
  private readonly timer: NodeJS.Timeout;
  private beating: Promise<void> | undefined;
  private closed = false;

  constructor(options: RedisCallRegistryOptions) {
    this.instanceId = options.instanceId;
    this.prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.ttlMs = options.ttlMs ?? DEFAULT_CALL_TTL_MS;
    this.tombstoneMs = options.tombstoneMs ?? DEFAULT_TOMBSTONE_MS;
    const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    if (!(heartbeatMs > 0 && heartbeatMs < this.ttlMs)) {
      throw new Error(
        `RedisCallRegistry: heartbeatMs (${heartbeatMs}) must be > 0 and below ttlMs (${this.ttlMs})`,
      );
    }
    this.outage = new RedisOutage(
      this.logger,
      'Call registry',
      redisEndpoint(options.url),
    );
    this.redis = createRedisClient(options.url, {
      name: `vg-registry-${this.instanceId}`,
      commandTimeoutMs: options.commandTimeoutMs,
    });
    for (const [name, script] of Object.entries(REGISTRY_SCRIPTS)) {
      this.redis.defineCommand(name, {
        numberOfKeys: script.keys,
        lua: script.lua,
      });
    }
    this.lostCalls = new RedisLostCalls(this.redis, {
      prefix: this.prefix,
      ttlMs: this.ttlMs,
      tombstoneMs: this.tombstoneMs,
    });
    this.redis.on('error', (err) => this.outage.failed(err, 'connection'));
    // (Re)connected: re-assert our calls at once rather than at the next tick.
    this.redis.on('ready', () => void this.heartbeat());
    this.timer = setInterval(() => void this.heartbeat(), heartbeatMs);
    this.timer.unref();
  }

  async reserve(summary: LiveCallSummary, max: number): Promise<ReserveResult> {
    const call = { ...summary, instanceId: this.instanceId };
    const result = (await this.run(
      'vgReserve',
      [
        this.key('calls'),
        this.callKey(call.callSid),
        this.endedKey(call.callSid),
        ...this.lostIndexKeys(),
      ],
      [call.callSid, max, this.ttlMs, this.instanceId, ...toFields(call)],
    )) as ReserveResult;
    if (result === 'reserved') this.owned.set(call.callSid, call);
    return result;
  }

  async get(callSid: string): Promise<LiveCallSummary | undefined> {
    // The hash expires with the call: an expired call is simply not there.
    const fields = await this.redis.hgetall(this.callKey(callSid));
    return fields.callSid ? (fields as unknown as LiveCallSummary) : undefined;
  }

  async list(): Promise<LiveCallSummary[]> {
    const calls = (await this.run(
      'vgList',
      [this.key('calls')],
      [this.key('call:')],
    )) as string[][];
    return calls.map(fromFields);
  }

  async update(
    callSid: string,
    patch: Partial<LiveCallSummary>,
  ): Promise<boolean> {
    const fields = toFields(patch, FIXED_KEYS);
    const updated =
      (await this.run('vgUpdate', [this.callKey(callSid)], fields)) === 1;
    const mine = this.owned.get(callSid);
    if (updated && mine) Object.assign(mine, fromFields(fields));
    return updated;
  }

  async claimStream(
    callSid: string,
    streamSid: string,
    patch: Partial<LiveCallSummary> = {},
  ): Promise<boolean> {
    const claimed = (await this.run(
      'vgClaimStream',
      [this.key('calls'), this.callKey(callSid), ...this.lostIndexKeys()],
      [
        callSid,
        streamSid,
        this.instanceId,
        this.ttlMs,
        ...toFields(patch, CLAIM_FIXED_KEYS),
      ],
    )) as string[] | null;
    if (!claimed) return false;
    this.owned.set(callSid, fromFields(claimed));
    return true;
  }

  async remove(callSid: string): Promise<boolean> {
    // Forget it first: a heartbeat must not re-register a call being removed.
    this.owned.delete(callSid);
    const removed = await this.run(
      'vgRemove',
      [
        this.key('calls'),
        this.callKey(callSid),
        this.endedKey(callSid),
        ...this.lostIndexKeys(),
      ],
      [callSid, this.tombstoneMs],
    );
    return removed === 1;
  }

  async count(): Promise<number> {
    return (await this.run('vgCount', [this.key('calls')], [])) as number;
  }

  async health(): Promise<BackendStatus> {
    if (this.closed) return { backend: 'redis', ok: false, detail: 'closed' };
    try {
      await this.redis.ping();
    } catch (err) {
      const cause = this.outage.current;
      return {
        backend: 'redis',
        ok: false,
        detail: cause ?? this.outage.describe(err),
      };
    }
    return {
      backend: 'redis',
      ok: true,
      detail: `instance ${this.instanceId} holds ${this.owned.size} live call(s)`,
    };
  }

  /**
   * Stops heart-beating and disconnects. The calls this instance still owns are left to expire
   * (end them first to free their slots at once).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.beating;
    if (this.redis.status === 'ready') {
      try {
        await this.redis.quit();
        return;
      } catch {
        // Fall through: drop the connection.
      }
    }
    this.redis.disconnect();
  }

  /** Extends (or re-registers) the calls this instance owns. Never rejects; one at a time. */
  private heartbeat(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.beating ??= this.beat().finally(() => (this.beating = undefined));
    return this.beating;
  }

  private async beat(): Promise<void> {
    const calls = [...this.owned.values()];
    const args = calls.flatMap((call) => [
      call.callSid,
      JSON.stringify(toFields(call)),
    ]);
    let results: HeartbeatResult[];
    try {
      results = (await this.run(
        'vgHeartbeat',
        [this.key('calls'), ...this.lostIndexKeys()],
        [
          this.key('call:'),
          this.key('ended:'),
          this.instanceId,
          this.ttlMs,
          ...args,
        ],
      )) as HeartbeatResult[];
    } catch (err) {
      this.outage.failed(err, 'heartbeat');
      return;
    }
    this.outage.recovered();
    calls.forEach((call, i) => {
      const result = results[i];
      if (result === 'lost' || result === 'ended') {
        // Another instance took the call over, or ended it while we could not reach Redis.
        if (this.owned.get(call.callSid) === call) {
          this.owned.delete(call.callSid);
        }
      } else if (result === 'reasserted') {
        this.logger.warn({
          callSid: call.callSid,
          msg: 'Live call had expired from the registry; registered again',
        });
      }
    });
  }

  private run(
    name: RegistryScriptName,
    keys: string[],
    args: (string | number)[],
  ): Promise<unknown> {
    return runRegistryScript(this.redis, name, keys, args);
  }

  /** The lost-call index: `owned` (CallSid → when lost) and `owner` (CallSid → instanceId). */
  private lostIndexKeys(): [string, string] {
    return [this.key('owned'), this.key('owner')];
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  private callKey(callSid: string): string {
    return this.key(`call:${callSid}`);
  }

  private endedKey(callSid: string): string {
    return this.key(`ended:${callSid}`);
  }
}

/** A call (or patch) as hash fields: [field, value, …], skipping undefined and `skip` keys. */
function toFields(
  call: Partial<LiveCallSummary>,
  skip: ReadonlySet<string> = new Set(),
): string[] {
  return Object.entries(call).flatMap(([key, value]) =>
    value === undefined || skip.has(key) ? [] : [key, String(value)],
  );
}

function fromFields(fields: string[]): LiveCallSummary {
  const call: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2)
    call[fields[i]] = fields[i + 1];
  return call as unknown as LiveCallSummary;
}
