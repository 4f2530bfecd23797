import type Redis from 'ioredis';
import type { LostCall, LostCallClaims } from './call-registry.interface';
import { runRegistryScript } from './redis-call-registry.scripts';

/** Where RedisLostCalls finds the registry's keys (see redis-call-registry.scripts.ts). */
export interface RedisLostCallKeys {
  /** The registry's key prefix, e.g. `vg:`. */
  prefix: string;
  /** How long a call outlives its owner's last heartbeat (ms). */
  ttlMs: number;
  /** How long a claimed call's tombstone stops its owner re-registering it (ms). */
  tombstoneMs: number;
}

/**
 * The Redis registry's lost calls: the `owned` index (CallSid → when it counts as lost) that
 * reserve, claimStream and every heartbeat keep next to the live calls, and that expiry does not
 * purge, so survivors still find a dead instance's calls after they vanished from `calls`.
 * Shares the registry's connection (on which the scripts are defined).
 */
export class RedisLostCalls implements LostCallClaims {
  readonly ttlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisLostCallKeys,
  ) {
    this.ttlMs = keys.ttlMs;
  }

  async claim({
    limit,
    graceMs,
    leaseMs,
  }: {
    limit: number;
    graceMs: number;
    leaseMs: number;
  }): Promise<LostCall[]> {
    const { prefix, tombstoneMs } = this.keys;
    const reply = (await runRegistryScript(
      this.redis,
      'vgClaimLost',
      [`${prefix}calls`, `${prefix}owned`, `${prefix}owner`],
      [
        `${prefix}call:`,
        `${prefix}ended:`,
        Math.max(0, Math.round(graceMs)),
        Math.max(1, Math.round(leaseMs)),
        Math.max(1, Math.floor(limit)),
        tombstoneMs,
      ],
    )) as string[];
    const claimed: LostCall[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      claimed.push({ callSid: reply[i], instanceId: reply[i + 1] });
    }
    return claimed;
  }

  async settle(callSid: string): Promise<void> {
    const { prefix } = this.keys;
    await runRegistryScript(
      this.redis,
      'vgSettleLost',
      [`${prefix}owned`, `${prefix}owner`],
      [callSid],
    );
  }
}
