import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  GEMINI_CLIENT_OPTIONS,
  GeminiClientOptions,
} from '../gemini-client.options';
import { InMemorySpentTokenLedger } from '../tokens/in-memory-spent-token-ledger';
import { OneTimeTokens, VerifiedToken } from '../tokens/one-time-tokens';
import type { SpentTokenLedger } from '../tokens/spent-token-ledger.interface';
import { SPENT_TOKEN_LEDGER } from '../tokens/tokens.constants';
import { liveProxyMetrics } from './live-proxy.metrics';

/** How long a browser token may wait before starting its session (ms). */
export const LIVE_TOKEN_TTL_MS = 60_000;

/**
 * What became of a presented browser token: `accepted` (spent now), `invalid` (malformed, forged
 * or expired), `reused` (spent before, on this or any instance sharing the ledger) or
 * `ledger-unavailable` (the spent-token ledger could not be reached: refused, fail closed).
 */
export type LiveTokenVerdict =
  'accepted' | 'invalid' | 'reused' | 'ledger-unavailable';

/**
 * Ephemeral browser tokens for the Live proxy (see OneTimeTokens), signed with `proxyTokenSecret`
 * (shared by every instance), good for starting one session within a minute. A token is spent in
 * the SPENT_TOKEN_LEDGER (Redis when the instances share one), so it starts one session across
 * all instances, not one per instance. The Google credential never leaves the service.
 */
@Injectable()
export class LiveTokenService {
  private readonly logger = new Logger(LiveTokenService.name);
  private readonly tokens: OneTimeTokens;
  private readonly ledger: SpentTokenLedger;

  /** Without a ledger (constructed by hand): spent tokens are remembered in this process only. */
  constructor(
    @Inject(GEMINI_CLIENT_OPTIONS) options: GeminiClientOptions,
    @Optional() @Inject(SPENT_TOKEN_LEDGER) ledger?: SpentTokenLedger,
  ) {
    this.tokens = new OneTimeTokens(
      options.proxyTokenSecret,
      'live-proxy-token',
    );
    this.ledger = ledger ?? new InMemorySpentTokenLedger();
  }

  /** A new token and its expiry (ISO 8601), valid for LIVE_TOKEN_TTL_MS from `now` (epoch ms). */
  mint(now = Date.now()): { token: string; expireTime: string } {
    const { token, expiresAt } = this.tokens.issue('', LIVE_TOKEN_TTL_MS, now);
    return { token, expireTime: new Date(expiresAt).toISOString() };
  }

  /**
   * Synchronous and local: the token's nonce and expiry if it is well formed, signed by an instance
   * sharing the secret and unexpired at `now` (epoch ms); undefined otherwise (counted as `invalid`).
   * Does not spend it: see `spend`.
   */
  verify(
    token: string | null | undefined,
    now = Date.now(),
  ): VerifiedToken | undefined {
    const verified = this.tokens.verify(token, '', now);
    if (!verified) liveProxyMetrics.refusedTokens.inc({ reason: 'invalid' });
    return verified;
  }

  /**
   * Spends a verified token in the ledger: `accepted` the first time across every instance sharing
   * it; `reused` after that; `ledger-unavailable` if the ledger rejects (logged, counted). Never rejects.
   */
  async spend(
    verified: VerifiedToken,
  ): Promise<Exclude<LiveTokenVerdict, 'invalid'>> {
    let first: boolean;
    try {
      first = await this.ledger.spend(
        `live-proxy:${verified.nonce}`,
        verified.expiresAt,
      );
    } catch (err) {
      liveProxyMetrics.refusedTokens.inc({ reason: 'ledger-unavailable' });
      this.logger.warn({
        err: err instanceof Error ? err.message : String(err),
        msg: 'Could not spend a browser token; refusing it',
      });
      return 'ledger-unavailable';
    }
    if (!first) liveProxyMetrics.refusedTokens.inc({ reason: 'reused' });
    return first ? 'accepted' : 'reused';
  }

  /** `verify`, then `spend`: the verdict on a presented token. Never rejects. */
  async consume(
    token: string | null | undefined,
    now = Date.now(),
  ): Promise<LiveTokenVerdict> {
    const verified = this.verify(token, now);
    return verified ? this.spend(verified) : 'invalid';
  }
}
