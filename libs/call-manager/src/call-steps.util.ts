import type { Logger } from '@nestjs/common';
import type { CallManagerOptions } from './call-manager.constants';

/** Default bound on one registry/store step of a call's start or end (ms; see CallManagerOptions). */
export const DEFAULT_STEP_TIMEOUT_MS = 5000;

/**
 * Runs the registry and store steps of a call's lifecycle so that a backend that fails or stops
 * answering costs a call bounded time, never a stuck lifecycle. Each class of the call manager
 * holds one, built with its own logger.
 */
export class CallSteps {
  /** Longest wait for one step (ms): `stepTimeoutMs` from the options, default 5000. */
  readonly timeoutMs: number;

  constructor(
    private readonly logger: Logger,
    options: Pick<CallManagerOptions, 'stepTimeoutMs'>,
  ) {
    this.timeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  }

  /**
   * Runs a step whose failure must not stop the call's lifecycle. A rejection (or a synchronous
   * throw), or no answer within `timeoutMs`, is logged as `Could not <what>` and the step is tried
   * again after each of `retryDelaysMs` (ms) in turn. Resolves the step's value, or undefined once
   * every try has failed. Never rejects.
   */
  async attempt<T>(
    callSid: string,
    what: string,
    step: () => Promise<T>,
    retryDelaysMs: readonly number[] = [],
  ): Promise<T | undefined> {
    for (let tried = 0; ; tried++) {
      try {
        return await withDeadline(step(), this.timeoutMs, what);
      } catch (err) {
        this.logger.error({
          callSid,
          err: errorMessage(err),
          msg: `Could not ${what}`,
        });
        const delay = retryDelaysMs[tried];
        if (delay === undefined) return undefined;
        await sleep(delay);
      }
    }
  }

  /**
   * `promise`, bounded by `timeoutMs`: resolves as it does; rejects as it does, or with
   * `no answer within <timeoutMs> ms (<what>)` if it has not settled by then.
   */
  bounded<T>(promise: Promise<T>, what: string): Promise<T> {
    return withDeadline(promise, this.timeoutMs, what);
  }
}

/**
 * `promise`, or a rejection (`no answer within <ms> ms (<what>)`) once `ms` have passed without it
 * settling. The timer is cleared as soon as either settles.
 */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${ms} ms (${what})`)),
      ms,
    );
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Resolves after `ms` (ms). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An error's message, for a log line. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
