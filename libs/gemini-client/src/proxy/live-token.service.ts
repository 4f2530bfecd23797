import { Inject, Injectable } from '@nestjs/common';
import {
  GEMINI_CLIENT_OPTIONS,
  GeminiClientOptions,
} from '../gemini-client.options';
import { OneTimeTokens } from '../tokens/one-time-tokens';

/** How long a browser token may wait before starting its session (ms). */
export const LIVE_TOKEN_TTL_MS = 60_000;

/**
 * Ephemeral browser tokens for the Live proxy (see OneTimeTokens), signed with `proxyTokenSecret`
 * (shared by every instance), good for starting one session within a minute. The Google credential
 * never leaves the service.
 */
@Injectable()
export class LiveTokenService {
  private readonly tokens: OneTimeTokens;

  constructor(@Inject(GEMINI_CLIENT_OPTIONS) options: GeminiClientOptions) {
    this.tokens = new OneTimeTokens(
      options.proxyTokenSecret,
      'live-proxy-token',
    );
  }

  /** A new token and its expiry (ISO 8601), valid for LIVE_TOKEN_TTL_MS from `now` (epoch ms). */
  mint(now = Date.now()): { token: string; expireTime: string } {
    const { token, expiresAt } = this.tokens.issue('', LIVE_TOKEN_TTL_MS, now);
    return { token, expireTime: new Date(expiresAt).toISOString() };
  }

  /** True once for an unexpired token this service (or another instance with the same secret) minted. */
  consume(token: string | null | undefined, now = Date.now()): boolean {
    return this.tokens.consume(token, '', now);
  }
}
