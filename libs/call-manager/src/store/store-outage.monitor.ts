import { storeErrorMessage } from './transient-store-error.util';

/** Where outages and recoveries are reported (a Nest Logger or pino logger fits). */
export interface StoreLogger {
  warn(obj: object): void;
  /** For recoveries; `warn` is used when absent. */
  log?(obj: object): void;
}

/** Retry delay while closing: short and steady, so a flush gets as many tries as its time allows. */
const CLOSE_RETRY_DELAY_MS = 100;

/** StoreOutageMonitor settings (durations in ms). */
export interface StoreOutageMonitorOptions {
  /** Backend name for the log lines. */
  backend: string;
  /** First retry delay in ms; doubles per failed attempt up to maxRetryDelayMs. */
  minRetryDelayMs: number;
  /** Longest retry delay in ms (at least minRetryDelayMs). */
  maxRetryDelayMs: number;
  logger?: StoreLogger;
  /** Queue figures added to the outage and recovery log lines. */
  figures: () => { pendingWrites: number; droppedWrites: number };
}

/**
 * Knows whether the backend is down (since when, how many attempts failed, the last error), logs
 * an outage once when it starts and once when it ends, and holds the single retry timer with its
 * exponential backoff. It orders no writes: when the timer fires it only calls back, and the write
 * queue then starts one call's lane as the probe. Its methods never throw (unless the logger
 * does).
 */
export class StoreOutageMonitor {
  private outage?: { since: number; failures: number };
  private lastErrorText?: string;
  private timer?: { handle: NodeJS.Timeout; fire: () => void };
  private closing = false;
  private stopped = false;

  constructor(private readonly options: StoreOutageMonitorOptions) {}

  /** True from a transient failure until the next attempt that reaches the backend. */
  get down(): boolean {
    return this.outage !== undefined;
  }

  /** The last transient error's message (kept after recovery, for the close warning). */
  get lastError(): string | undefined {
    return this.lastErrorText;
  }

  /**
   * Records an attempt that failed because the backend is unreachable. Returns true when this
   * starts an outage (it is logged then, not on later failures).
   */
  reportFailure(err: unknown): boolean {
    this.lastErrorText = storeErrorMessage(err);
    if (this.outage) {
      this.outage.failures++;
      return false;
    }
    this.outage = { since: Date.now(), failures: 1 };
    this.options.logger?.warn({
      msg: 'Call store unreachable: queueing writes and retrying in the background',
      backend: this.options.backend,
      err: this.lastErrorText,
      pendingWrites: this.options.figures().pendingWrites,
    });
    return true;
  }

  /**
   * Records an attempt the backend answered (applied or refused). Returns true when this ends an
   * outage (logged, with how long it lasted in ms); the pending retry is then cancelled.
   */
  reportSuccess(): boolean {
    if (!this.outage) return false;
    const { pendingWrites, droppedWrites } = this.options.figures();
    const entry = {
      msg: 'Call store reachable again: flushing queued writes',
      backend: this.options.backend,
      downMs: Date.now() - this.outage.since,
      pendingWrites,
      droppedWrites,
    };
    this.outage = undefined;
    this.cancelRetry();
    const logger = this.options.logger;
    if (logger?.log) logger.log(entry);
    else logger?.warn(entry);
    return true;
  }

  /**
   * Delay in ms before the next retry: minRetryDelayMs × 2^(failures − 1), capped at
   * maxRetryDelayMs; while closing, min(minRetryDelayMs, 100 ms).
   */
  retryDelayMs(): number {
    const { minRetryDelayMs, maxRetryDelayMs } = this.options;
    if (this.closing) return Math.min(minRetryDelayMs, CLOSE_RETRY_DELAY_MS);
    const failures = this.outage?.failures ?? 1;
    return Math.min(
      maxRetryDelayMs,
      minRetryDelayMs * 2 ** Math.min(30, Math.max(0, failures - 1)),
    );
  }

  /**
   * Calls `retry` once after retryDelayMs() (an unref'd timer), unless the backend is up, a retry
   * is already scheduled, or the monitor was stopped. Returns whether a retry is now scheduled.
   */
  scheduleRetry(retry: () => void): boolean {
    if (!this.outage || this.stopped) return false;
    if (this.timer) return true;
    const fire = () => {
      if (this.timer?.handle !== handle) return;
      clearTimeout(handle);
      this.timer = undefined;
      retry();
    };
    const handle = setTimeout(fire, this.retryDelayMs());
    handle.unref();
    this.timer = { handle, fire };
    return true;
  }

  /** Closing: later retries use the short close delay, and a scheduled one fires now. */
  hurry(): void {
    this.closing = true;
    this.timer?.fire();
  }

  /** Closed: cancels the pending retry and schedules no more. */
  stop(): void {
    this.stopped = true;
    this.cancelRetry();
  }

  private cancelRetry(): void {
    if (this.timer) clearTimeout(this.timer.handle);
    this.timer = undefined;
  }
}
