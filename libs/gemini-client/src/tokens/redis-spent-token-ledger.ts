import { Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import type { SpentTokenLedger } from './spent-token-ledger.interface';

export interface RedisSpentTokenLedgerOptions {
  /** `redis://…`: the same Redis every instance uses. */
  url: string;
  /** Prefix of every key (default `vg:`); instances sharing tokens must share it. */
  keyPrefix?: string;
  /** How long one Redis command may take before it rejects (ms, default 1000). */
  commandTimeoutMs?: number;
  /**
   * How much longer than the token a spent mark is kept (ms, default 5000): instances' clocks may
   * disagree by this much about when a token expires.
   */
  clockSkewMs?: number;
}

const DEFAULT_KEY_PREFIX = 'vg:';
const DEFAULT_COMMAND_TIMEOUT_MS = 1000;
const DEFAULT_CLOCK_SKEW_MS = 5000;

/**
 * Spent tokens shared by every instance through Redis: spending is one atomic
 * `SET <prefix>spent:<id> 1 NX PX <ms until the token expires + clockSkewMs>`, so a token is used
 * once across all instances, and its mark expires with it (no sweeping).
 *
 * Fails fast: while Redis is unreachable each spend rejects within about `commandTimeoutMs` (the
 * caller refuses the token); the connection is retried in the background, the outage logged once.
 * Closed at application shutdown.
 */
export class RedisSpentTokenLedger
  implements SpentTokenLedger, OnApplicationShutdown
{
  private readonly logger = new Logger(RedisSpentTokenLedger.name);
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly clockSkewMs: number;
  private failing = false;

  constructor(options: RedisSpentTokenLedgerOptions) {
    this.prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.clockSkewMs = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
    const commandTimeout =
      options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.redis = new Redis(options.url, {
      connectionName: 'vg-spent-tokens',
      commandTimeout,
      connectTimeout: Math.max(commandTimeout, 1000),
      // A closed socket would otherwise keep a timer (and the process) alive after disconnect().
      disconnectTimeout: 500,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: true,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    });
    this.redis.on('error', (err: Error) => this.failed(err));
    this.redis.on('ready', () => this.recovered());
  }

  async spend(
    id: string,
    expiresAtMs: number,
    now = Date.now(),
  ): Promise<boolean> {
    const remainingMs = expiresAtMs - now;
    // Expired already: never spendable (and PX must be positive).
    if (!(remainingMs > 0)) return false;
    try {
      const set = await this.redis.set(
        `${this.prefix}spent:${id}`,
        '1',
        'PX',
        Math.ceil(remainingMs + this.clockSkewMs),
        'NX',
      );
      this.recovered();
      return set === 'OK';
    } catch (err) {
      this.failed(err);
      throw err;
    }
  }

  /** Disconnects (spends reject from then on). Idempotent. */
  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    if (this.redis.status === 'ready') {
      try {
        await this.redis.quit();
        return;
      } catch {
        // Fall through: drop the connection.
      }
    }
    this.redis.disconnect();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private failed(err: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.logger.warn({
      err: err instanceof Error ? err.message : String(err),
      msg: 'Spent-token ledger: Redis unreachable; browser tokens are refused until it is back',
    });
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.log({ msg: 'Spent-token ledger: Redis reachable again' });
  }
}
