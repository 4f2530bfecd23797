/**
 * Settles like `work`, or rejects with the signal's reason as soon as `signal` aborts (the model
 * cancelled the call or the tool's time ran out). The work itself is not stopped: pass the signal on
 * to anything that accepts one (fetch, database drivers) so it stops too.
 */
export function abortable<T>(
  work: Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  if (signal.aborted) {
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** The signal's reason (an AbortError or TimeoutError DOMException) as is; it may come from another realm. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason == null ? new Error('Tool call aborted') : (reason as Error);
}
