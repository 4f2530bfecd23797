import { Counter } from 'prom-client';
import type { CallLog } from '../bridge/call-log';

const faulted = new Counter({
  name: 'calls_faulted_total',
  help: 'Faults inside a call (a handler threw or a promise rejected), by where they happened',
  labelNames: ['where'],
});

/**
 * One call's fault boundary ("let it crash" per call): everything that runs for the call — Twilio
 * frames, Gemini events, tool calls, timers, store and registry promises — runs through `run`,
 * `wrap` or `track`. A throw or rejection there is counted (`calls_faulted_total{where}`), logged
 * once with the callSid and stack, and handed to `onFault` (which ends that call); it never reaches
 * the process, so no other call is touched.
 */
export class CallFaultBoundary {
  private faults = 0;

  constructor(
    private readonly log: CallLog,
    private readonly onFault: (where: string, err: unknown) => void,
  ) {}

  /** Faults seen so far. */
  get count(): number {
    return this.faults;
  }

  /** Runs `fn` now; a throw is a fault at `where` and yields undefined. */
  run<T>(where: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.fault(where, err);
      return undefined;
    }
  }

  /** `fn` as a listener that runs inside the boundary (for socket and session events). */
  wrap<A extends unknown[]>(
    where: string,
    fn: (...args: A) => void,
  ): (...args: A) => void {
    return (...args: A) => {
      this.run(where, () => fn(...args));
    };
  }

  /** Observes `promise`: a rejection is a fault at `where`. */
  track(where: string, promise: Promise<unknown>): void {
    promise.then(undefined, (err: unknown) => this.fault(where, err));
  }

  /** Records a fault: counted, logged (the first with its stack), then `onFault`. Never throws. */
  fault(where: string, err: unknown): void {
    faulted.inc({ where });
    const first = this.faults++ === 0;
    const message = err instanceof Error ? err.message : String(err);
    if (first) {
      this.log.error('Fault in a call; ending it', {
        where,
        err: message,
        stack: err instanceof Error ? err.stack : undefined,
      });
    } else {
      this.log.debug('Further fault in a call already ending', {
        where,
        err: message,
      });
    }
    try {
      this.onFault(where, err);
    } catch (inner) {
      this.log.error('Fault handler failed', {
        where,
        err: inner instanceof Error ? inner.message : String(inner),
      });
    }
  }
}
