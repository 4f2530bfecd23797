/** Resolves or rejects as `promise` does, or rejects after `ms` (the timer is unref'd and cleared). */
export function withinMs(
  promise: Promise<unknown>,
  ms: number,
): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`not settled within ${ms} ms`)),
      ms,
    );
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
