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
}
