/** An inclusive byte range of a representation (RFC 9110 §14.1.2). */
export interface ByteRange {
  /** First byte (offset). */
  start: number;
  /** Last byte, inclusive (offset). */
  end: number;
}

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * The one range a `Range` header asks of a `size`-byte file: a ByteRange, `'unsatisfiable'` (answer
 * 416), or undefined to send the whole file (no header, another unit, several ranges, or a malformed
 * one: RFC 9110 §14.2 lets a server ignore those).
 */
export function parseByteRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = SINGLE_RANGE.exec(header.trim());
  if (!match) return undefined;
  const [, first, last] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    // bytes=-N: the last N bytes.
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Infinity : Number(last);
  if (end < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}
