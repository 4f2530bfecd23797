import { DEFAULT_REPLAY_LIMITS, ReplayBufferLimits } from './replay-buffer';

/** How a ResilientLiveSession carries one call across upstream connections. All times in ms. */
export interface ContinuityPolicy {
  /**
   * Delays before each reconnect attempt once no connection serves (the serving one was lost); its
   * length is the attempt limit, after which the session closes for good. While an old connection
   * still serves, failed switches are retried on the same schedule (its last delay repeating) and
   * never give up: the old connection carries the call meanwhile.
   */
  backoffMs: number[];
  /**
   * After `goAway`, the switch waits for a safe point (model turn over, no tool call open, a fresh
   * handle) but no later than `timeLeft − switchMarginMs`: the next connection needs that long to be
   * set up before the server closes the old one.
   */
  switchMarginMs: number;
  /** timeLeft assumed when `goAway` carries none, or one we cannot read. */
  defaultTimeLeftMs: number;
  /**
   * Close the connection that issued a handle before resuming from it. Off by default: the new
   * connection is set up while the old one still serves. One field report (PROTOCOLS.md) says the
   * server refuses such a resume with 1011; after one such refusal the session turns this on itself.
   */
  closeIssuerBeforeResume: boolean;
  /** Bounds of the replay buffer of client messages not yet covered by a handle. */
  replay: ReplayBufferLimits;
}

export const DEFAULT_CONTINUITY: ContinuityPolicy = {
  backoffMs: [0, 250, 500, 1000, 2000],
  switchMarginMs: 1000,
  defaultTimeLeftMs: 5000,
  closeIssuerBeforeResume: false,
  replay: DEFAULT_REPLAY_LIMITS,
};

/**
 * `goAway.timeLeft` is a protobuf Duration in JSON form (`"20s"`, `"0.500s"`); returns ms, or
 * undefined when it is missing or not in that form.
 */
export function parseTimeLeftMs(
  timeLeft: string | undefined,
): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(timeLeft ?? '');
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}
