import { Inject, Injectable } from '@nestjs/common';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  GEMINI_CLIENT_OPTIONS,
  GeminiClientOptions,
} from '../gemini-client.options';

/** How long a browser token may wait before starting its session. */
export const LIVE_TOKEN_TTL_MS = 60_000;

/**
 * Ephemeral browser tokens for the Live proxy: `<expiry>.<nonce>.<HMAC>` signed with
 * `proxyTokenSecret` (shared by every instance), good for starting one session within a minute. The
 * Google credential never leaves the service.
 */
@Injectable()
export class LiveTokenService {
  private readonly key: Buffer;
  private readonly spent = new Map<string, number>();

  constructor(@Inject(GEMINI_CLIENT_OPTIONS) options: GeminiClientOptions) {
    this.key = options.proxyTokenSecret
      ? createHmac('sha256', options.proxyTokenSecret)
          .update('live-proxy-token')
          .digest()
      : randomBytes(32);
  }

  mint(now = Date.now()): { token: string; expireTime: string } {
    const expiresAt = now + LIVE_TOKEN_TTL_MS;
    const expires = expiresAt.toString(36);
    const nonce = randomBytes(12).toString('base64url');
    return {
      token: `${expires}.${nonce}.${this.mac(expires, nonce)}`,
      expireTime: new Date(expiresAt).toISOString(),
    };
  }

  /** True once for an unexpired token this service (or another instance with the same secret) minted. */
  consume(token: string | null | undefined, now = Date.now()): boolean {
    for (const [nonce, expiresAt] of this.spent)
      if (expiresAt < now) this.spent.delete(nonce);
    const [expires, nonce, mac, extra] = token?.split('.') ?? [];
    if (!expires || !nonce || !mac || extra !== undefined) return false;
    const expiresAt = parseInt(expires, 36);
    if (!(expiresAt >= now)) return false;
    const expected = Buffer.from(this.mac(expires, nonce));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return false;
    if (this.spent.has(nonce)) return false;
    this.spent.set(nonce, expiresAt);
    return true;
  }

  private mac(expires: string, nonce: string): string {
    return createHmac('sha256', this.key)
      .update(`${expires}.${nonce}`)
      .digest('base64url');
  }
}
