import type { ConnectionActivity, ResumePoint } from './connection-link';
import { ContinuityPolicy, parseTimeLeftMs } from './continuity-policy';
import type { LiveSessionClosed } from './live-session.types';

/** Runs `fn` after `ms` inside the session's fault boundary (unref'd). */
export type Schedule = (ms: number, fn: () => void) => NodeJS.Timeout;

/**
 * Decides when a ResilientLiveSession leaves a connection and how it retries; owns the timers for
 * both. Times in ms. The facts it works from are in PROTOCOLS.md ("Gemini Live", field reports):
 * after `goAway` the old connection streams its current reply until `timeLeft` runs out; a tool call
 * belongs to the connection that issued it; one report says a resume is refused (1011) while the
 * connection that issued the handle is still open.
 */
export class SwitchPlanner {
  /** Time is nearly spent: switch now, whatever the model is doing. */
  forced = false;
  /** Why the current switch happens (`goAway (…)`, `closed <code> <reason>`), and since when (ms). */
  reason = 'initial';
  startedAt = Date.now();
  /** Whether the switch under way resumes from a handle newer than the old model's activity. */
  fromSafePoint = true;
  /** Failed switches while the old connection served, and reconnects after it was lost. */
  aliveRetries = 0;
  lossAttempt = 0;
  private refusedWhileIssuerOpen = 0;
  private refusalConfirmed = false;
  private retryTimer?: NodeJS.Timeout;
  private forceTimer?: NodeJS.Timeout;

  constructor(
    private readonly policy: ContinuityPolicy,
    private readonly schedule: Schedule,
  ) {}

  /** A retry delay is running (a switch is not tried before it ends, unless forced). */
  get waiting(): boolean {
    return this.retryTimer !== undefined;
  }

  /** Epoch ms at which the server will close a connection that sent `goAway` with `timeLeft`. */
  deadline(timeLeft: string | undefined, now = Date.now()): number {
    return now + (parseTimeLeftMs(timeLeft) ?? this.policy.defaultTimeLeftMs);
  }

  /** At `deadline − switchMarginMs`, forces the switch (`onForce` then evaluates). */
  armForce(deadline: number, onForce: () => void): void {
    clearTimeout(this.forceTimer);
    const due = deadline - this.policy.switchMarginMs - Date.now();
    this.forceTimer = this.schedule(due, () => {
      this.forced = true;
      this.stopRetry();
      onForce();
    });
  }

  /** Whether the serving connection can be left now (forced, or at a safe point); if so, it starts. */
  shouldSwitch(activity: ConnectionActivity): boolean {
    if (this.waiting || !(this.forced || activity.safe)) return false;
    this.startedAt = Date.now();
    this.fromSafePoint = activity.safe;
    return true;
  }

  /**
   * During a forced switch from a handle older than the old model's last turn: that turn has ended
   * and `activity` has a fresh handle the next connection (not yet ready) should resume from instead.
   */
  fresherThan(
    next: ResumePoint | undefined,
    activity: ConnectionActivity,
  ): boolean {
    return (
      !this.fromSafePoint &&
      activity.safe &&
      next?.handle !== activity.point?.handle
    );
  }

  /**
   * Whether to close a handle's issuer before resuming from it. Never on a single ambiguous 1011:
   * a failed switch must not cost the connection that still serves. After refusals while the issuer
   * was open, once time is nearly spent; for the rest of the call once closing first has worked;
   * always when the policy says so.
   */
  closeIssuerFirst(): boolean {
    return (
      this.policy.closeIssuerBeforeResume ||
      this.refusalConfirmed ||
      (this.forced && this.refusedWhileIssuerOpen > 0)
    );
  }

  /** The serving connection was lost (the first loss of a series starts the switch's clock). */
  lost(info: LiveSessionClosed): void {
    if (this.lossAttempt > 0) return;
    this.startedAt = Date.now();
    this.reason = `closed ${info.code} ${info.reason}`.trim();
  }

  /** A connection being opened from `point` failed before it served. */
  nextFailed(info: LiveSessionClosed, point: ResumePoint | undefined): void {
    if (point?.issuer.open && info.code === 1011 && info.beforeReady)
      this.refusedWhileIssuerOpen++;
  }

  /**
   * A new connection serves: counters and timers reset. Returns the attempts it took. One opened
   * after closing its handle's issuer, following refusals, confirms the field report for this call.
   */
  served(openedAfterIssuerClosed: boolean): number {
    const attempts = this.lossAttempt + this.aliveRetries;
    if (openedAfterIssuerClosed && this.refusedWhileIssuerOpen > 0)
      this.refusalConfirmed = true;
    this.lossAttempt = this.aliveRetries = 0;
    this.forced = false;
    this.clear();
    return attempts;
  }

  /** The old connection still serves: try again after the next delay (its last delay repeating). */
  retryWhileServing(retry: () => void): void {
    const delays = this.policy.backoffMs;
    const delay =
      delays[Math.min(this.aliveRetries++, delays.length - 1)] ?? 1000;
    this.retryTimer = this.schedule(delay, () => {
      this.retryTimer = undefined;
      retry();
    });
  }

  /**
   * No connection serves: reconnect after the next backoff delay. False when the schedule is spent
   * (the session is over).
   */
  reconnectAfterLoss(reconnect: () => void): boolean {
    this.clear();
    this.forced = false;
    const delay = this.policy.backoffMs[this.lossAttempt];
    if (delay === undefined) return false;
    this.lossAttempt++;
    this.retryTimer = this.schedule(delay, () => {
      this.retryTimer = undefined;
      reconnect();
    });
    return true;
  }

  clear(): void {
    this.stopRetry();
    clearTimeout(this.forceTimer);
    this.forceTimer = undefined;
  }

  private stopRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
