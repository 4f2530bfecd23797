/** Small readers the scrubber's walk uses on values it must never let throw. */

/** `obj[key]`, or a marker when reading it throws (a getter that throws must not lose the log line). */
export function readSafely(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return '[Unreadable]';
  }
}

/** The first `count` values of an iterator, without walking the rest. */
export function firstOf<T>(iterator: Iterator<T>, count: number): T[] {
  const out: T[] = [];
  for (let next = iterator.next(); !next.done && out.length < count;) {
    out.push(next.value);
    if (out.length < count) next = iterator.next();
  }
  return out;
}

/** Values a credential-named key may hold that are worth hiding (not flags or blanks). */
export function isCredentialValue(value: unknown): boolean {
  return value !== undefined && value !== null && typeof value !== 'boolean';
}

/** Errors, including those from another realm (vm, jest sandboxes). */
export function isError(obj: object): boolean {
  return (
    obj instanceof Error ||
    Object.prototype.toString.call(obj) === '[object Error]'
  );
}

/** The value's class name, for placeholders such as `[Socket]`. */
export function constructorName(obj: object): string {
  const ctor = (obj as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' && ctor.name ? ctor.name : 'Object';
}
