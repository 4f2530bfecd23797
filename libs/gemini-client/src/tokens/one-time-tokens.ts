import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How often (ms, at most) consume() forgets spent nonces whose tokens have expired anyway. */
const SWEEP_EVERY_MS = 1000;

/**
 * Signed, short-lived, one-time tokens: `<expiry>.<nonce>.<mac>`, where expiry is epoch ms in base 36,
 * nonce 12 random bytes (base64url) and mac HMAC-SHA256 (base64url) over `<subject>.<expiry>.<nonce>`
 * (`<expiry>.<nonce>` when the subject is empty) with a key derived from `secret` and `purpose`.
 * Every instance sharing the secret accepts every other's tokens; each remembers the nonces it has
 * accepted until they expire, so a token works once per instance. Used for the media stream's token
 * (subject: the CallSid) and the browser proxy's ephemeral tokens (no subject).
 */
export class OneTimeTokens {
  private readonly key: Buffer;
  /** Accepted nonces and their expiry (epoch ms). */
  private readonly spent = new Map<string, number>();
  private lastSweep = 0;

  /** `secret` unset: a random key, so only this process accepts the tokens it issues. */
  constructor(secret: string | undefined, purpose: string) {
    this.key = secret
      ? createHmac('sha256', secret).update(purpose).digest()
      : randomBytes(32);
  }

  /** A token for `subject` valid for `ttlMs` from `now` (epoch ms). */
  issue(
    subject: string,
    ttlMs: number,
    now = Date.now(),
  ): { token: string; expiresAt: number } {
    const expiresAt = now + ttlMs;
    const expires = expiresAt.toString(36);
    const nonce = randomBytes(12).toString('base64url');
    return {
      token: `${expires}.${nonce}.${this.mac(subject, expires, nonce)}`,
      expiresAt,
    };
  }

  /** True once for an unexpired, correctly signed token issued for `subject`; false otherwise. */
  consume(
    token: string | null | undefined,
    subject: string,
    now = Date.now(),
  ): boolean {
    this.sweep(now);
    const [expires, nonce, mac, extra] = token?.split('.') ?? [];
    if (!expires || !nonce || !mac || extra !== undefined) return false;
    const expiresAt = parseInt(expires, 36);
    if (!(expiresAt >= now)) return false;
    const expected = Buffer.from(this.mac(subject, expires, nonce));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return false;
    if (this.spent.has(nonce)) return false;
    this.spent.set(nonce, expiresAt);
    return true;
  }

  private mac(subject: string, expires: string, nonce: string): string {
    const signed = subject
      ? `${subject}.${expires}.${nonce}`
      : `${expires}.${nonce}`;
    return createHmac('sha256', this.key).update(signed).digest('base64url');
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [nonce, expiresAt] of this.spent)
      if (expiresAt < now) this.spent.delete(nonce);
  }
}
