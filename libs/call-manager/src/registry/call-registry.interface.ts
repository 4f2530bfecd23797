import type { LiveCallSummary, ReserveResult } from '../call.types';

/**
 * Live calls, keyed by CallSid. In-memory for one instance; a shared backend (Redis) for several.
 * Every backend must pass `callRegistryContract` (call-registry.contract.ts).
 *
 * Values handed in and out are copies: mutating them never changes the registry.
 */
export interface CallRegistry {
  /**
   * The instance this registry speaks for: stamped as `instanceId` on the calls it reserves or
   * whose stream it claims (their owner). Undefined for a registry that does not track owners.
   */
  readonly instanceId?: string;
  /**
   * Adds the call if it is not already live and fewer than `max` calls are live, as one atomic step
   * (two concurrent reserves never both take the last slot, nor the same CallSid).
   * A duplicate is reported before capacity. The stored call's `instanceId` is this registry's.
   */
  reserve(summary: LiveCallSummary, max: number): Promise<ReserveResult>;
  get(callSid: string): Promise<LiveCallSummary | undefined>;
  /** Every live call, in no particular order. */
  list(): Promise<LiveCallSummary[]>;
  /**
   * Merges `patch` into a live call. `callSid`, `instanceId` and undefined values in the patch are
   * ignored. Resolves false (changing nothing) when the call is not live.
   */
  update(callSid: string, patch: Partial<LiveCallSummary>): Promise<boolean>;
  /**
   * Gives a live call its media stream, as one atomic compare-and-set: sets `streamSid`, merges
   * `patch` (as `update` does) and makes this registry's instance the call's owner, but only if the
   * call has no `streamSid` yet. Resolves false, changing nothing, if the call is not live or
   * already has a stream (here or on any other instance).
   */
  claimStream(
    callSid: string,
    streamSid: string,
    patch?: Partial<LiveCallSummary>,
  ): Promise<boolean>;
  /** Resolves true only for the caller that actually removed the call. */
  remove(callSid: string): Promise<boolean>;
  count(): Promise<number>;
  /**
   * The calls of instances that died, for LostCallReaper: only a registry shared by several
   * instances (Redis), which outlives each of them, has it. Undefined for the in-memory registry:
   * its calls die with the one process that holds them.
   */
  readonly lostCalls?: LostCallClaims;
}

/** A call whose owner stopped heart-beating, claimed by one surviving instance to close it. */
export interface LostCall {
  callSid: string;
  /** The instance that held the call when it was last seen alive ('' when unknown). */
  instanceId: string;
}

/**
 * Finding and claiming calls whose owner stopped heart-beating (it died, or lost Redis for longer
 * than the ttl), so that exactly one survivor closes each. A claim is a lease: if the survivor that
 * claimed a call dies before settling it, another claims it once the lease runs out.
 */
export interface LostCallClaims {
  /** How long (ms) a call outlives its owner's last heartbeat: it is lost from then on. */
  readonly ttlMs: number;
  /**
   * Atomically claims up to `limit` calls lost more than `graceMs` (ms) ago and not leased to
   * another survivor, leasing each to the caller for `leaseMs` (ms); a claimed call's owner can no
   * longer re-register it. Resolves [] when there is none. Rejects if the backend does.
   */
  claim(options: {
    limit: number;
    graceMs: number;
    leaseMs: number;
  }): Promise<LostCall[]>;
  /** Forgets a claimed call once it has been dealt with (closed, or found closed). Rejects if the backend does. */
  settle(callSid: string): Promise<void>;
}
