import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex HMAC-SHA256 of body keyed with secret>`: the value of the X-Signature-256 header. */
export function signSummaryBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * For receivers: true when `header` (the X-Signature-256 value) signs `body` with `secret`. Pass the
 * raw request body exactly as received, not a re-serialised parse of it. Compares in constant time.
 */
export function verifySummarySignature(
  body: string | Buffer,
  header: string | string[] | null | undefined,
  secret: string,
): boolean {
  if (typeof header !== 'string' || !secret) return false;
  const expected = Buffer.from(signSummaryBody(body, secret));
  const given = Buffer.from(header.trim().toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
