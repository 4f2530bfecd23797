/** Random lowercase hex of `length` characters. */
export function randomHex(length: number): string {
  let out = '';
  while (out.length < length)
    out += Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, length);
}

/** Milliseconds on a monotonic clock. */
export function nowMs(): number {
  return performance.now();
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits for the first item (already present or arriving later) that matches. `subscribe` registers a
 * listener for new items and returns its unsubscribe function; `done` (optional) says no more items can
 * arrive, so the wait fails at once instead of at the timeout.
 */
export function waitForItem<T>(
  existing: readonly T[],
  subscribe: (listener: (item: T) => void) => () => void,
  predicate: (item: T) => boolean,
  timeoutMs: number,
  what: string,
  done?: Promise<unknown>,
): Promise<T> {
  const found = existing.find(predicate);
  if (found !== undefined) return Promise.resolve(found);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe();
      fn();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`),
          ),
        ),
      timeoutMs,
    );
    const unsubscribe = subscribe((item) => {
      if (predicate(item)) finish(() => resolve(item));
    });
    void done?.then(() =>
      finish(() => reject(new Error(`Closed while waiting for ${what}`))),
    );
  });
}
