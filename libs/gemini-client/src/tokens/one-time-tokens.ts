import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { InMemorySpentTokenLedger } from './in-memory-spent-token-ledger';

/** A token whose signature and expiry check out: what a SpentTokenLedger then spends. */
export interface VerifiedToken {
  /** The token's random nonce (base64url): its id in a ledger. */
  nonce: string;
  /** When the token expires (epoch ms). */
  expiresAt: number;
}

/**
 * Signed, short-lived, one-time tokens: `<expiry>.<nonce>.<mac>`, where expiry is epoch ms in base 36,
 * nonce 12 random bytes (base64url) and mac HMAC-SHA256 (base64url) over `<subject>.<expiry>.<nonce>`
 * (`<expiry>.<nonce>` when the subject is empty) with a key derived from `secret` and `purpose`.
 * Every instance sharing the secret accepts every other's tokens.
 *
 * `consume` remembers spent nonces in this process (until they expire), so a token works once per
 * instance: enough for the media stream's token (subject: the CallSid), which the registry's
 * stream claim makes once per call across instances. The browser proxy's tokens (no subject) are
 * `verify`-ed here and spent in a shared SpentTokenLedger instead (LiveTokenService).
 */
export class OneTimeTokens {
  private readonly key: Buffer;
  private readonly spent = new InMemorySpentTokenLedger();

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

  /**
   * The token's nonce and expiry if it is well formed, correctly signed for `subject` and not
   * expired at `now` (epoch ms); undefined otherwise. Does not spend it.
   */
  verify(
    token: string | null | undefined,
    subject: string,
    now = Date.now(),
  ): VerifiedToken | undefined {
    const [expires, nonce, mac, extra] = token?.split('.') ?? [];
    if (!expires || !nonce || !mac || extra !== undefined) return undefined;
    const expiresAt = parseInt(expires, 36);
    if (!(expiresAt >= now)) return undefined;
    const expected = Buffer.from(this.mac(subject, expires, nonce));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return undefined;
    return { nonce, expiresAt };
  }

  /** True once (in this process) for an unexpired, correctly signed token issued for `subject`. */
  consume(
    token: string | null | undefined,
    subject: string,
    now = Date.now(),
  ): boolean {
    const verified = this.verify(token, subject, now);
    return (
      verified !== undefined &&
      this.spent.spendNow(verified.nonce, verified.expiresAt, now)
    );
  }

  private mac(subject: string, expires: string, nonce: string): string {
    const signed = subject
      ? `${subject}.${expires}.${nonce}`
      : `${expires}.${nonce}`;
    return createHmac('sha256', this.key).update(signed).digest('base64url');
  }
}
