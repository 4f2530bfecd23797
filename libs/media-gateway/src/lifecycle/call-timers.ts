import type { CallFaultBoundary } from './call-fault-boundary';

/**
 * One call's named timers (expiry, max duration, media idle, goodbye). Each callback runs inside the
 * call's fault boundary (a returned promise is tracked too); `clearAll` leaves none behind. Timers are
 * unref'd: they never keep the process alive on their own.
 */
export class CallTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly boundary: CallFaultBoundary) {}

  /** Number of timers armed now. */
  get size(): number {
    return this.timers.size;
  }

  /** Runs `fn` once after `ms` (replacing a timer of the same name). */
  after(name: string, ms: number, fn: () => unknown): void {
    this.clear(name);
    const timer = setTimeout(() => {
      this.timers.delete(name);
      this.fire(name, fn);
    }, ms);
    timer.unref();
    this.timers.set(name, timer);
  }

  /** Runs `fn` every `ms` until cleared (replacing a timer of the same name). */
  every(name: string, ms: number, fn: () => unknown): void {
    this.clear(name);
    const timer = setInterval(() => this.fire(name, fn), ms);
    timer.unref();
    this.timers.set(name, timer);
  }

  clear(name: string): void {
    const timer = this.timers.get(name);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(name);
  }

  clearAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private fire(name: string, fn: () => unknown): void {
    const result = this.boundary.run(`timer:${name}`, fn);
    if (result instanceof Promise) this.boundary.track(`timer:${name}`, result);
  }
}
