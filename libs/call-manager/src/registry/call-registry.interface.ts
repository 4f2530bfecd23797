import type { LiveCallSummary, ReserveResult } from '../call.types';

/**
 * Live calls, keyed by CallSid. In-memory for one instance; a shared backend (Redis) for several.
 * Every backend must pass `callRegistryContract` (call-registry.contract.ts).
 *
 * Values handed in and out are copies: mutating them never changes the registry.
 */
export interface CallRegistry {
  /**
   * Adds the call if it is not already live and fewer than `max` calls are live, as one atomic step
   * (two concurrent reserves never both take the last slot, nor the same CallSid).
   * A duplicate is reported before capacity.
   */
  reserve(summary: LiveCallSummary, max: number): Promise<ReserveResult>;
  get(callSid: string): Promise<LiveCallSummary | undefined>;
  /** Every live call, in no particular order. */
  list(): Promise<LiveCallSummary[]>;
  /**
   * Merges `patch` into a live call. `callSid` in the patch and undefined values are ignored.
   * Resolves false (changing nothing) when the call is not live.
   */
  update(callSid: string, patch: Partial<LiveCallSummary>): Promise<boolean>;
  /** Resolves true only for the caller that actually removed the call. */
  remove(callSid: string): Promise<boolean>;
  count(): Promise<number>;
}
