import type { Logger } from '@nestjs/common';
import { describeRedisError, redisConnectionCode } from './redis-error.util';

/**
 * Logs the start and the end of a Redis outage once each, however often it is reported, in an
 * operator's words ("Redis at 127.0.0.1:6379 unreachable (ECONNREFUSED)", see describeRedisError).
 */
export class RedisOutage {
  private error: string | undefined;
  /** The code of the latest connection error (`ECONNREFUSED`, …), for command errors that carry none. */
  private lastCode: string | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
    /** The configured server, `host:port` (see redisEndpoint). */
    private readonly endpoint?: string,
  ) {}

  /** The error that started the current outage; undefined while Redis answers. */
  get current(): string | undefined {
    return this.error;
  }

  /** `err` in an operator's words, naming this outage's server. */
  describe(err: unknown): string {
    return describeRedisError(err, this.endpoint, this.lastCode);
  }

  failed(err: unknown, during: string): void {
    this.lastCode = redisConnectionCode(err) ?? this.lastCode;
    const message = this.describe(err);
    if (this.error === undefined) {
      this.logger.warn({
        err: message,
        during,
        msg: `${this.what}: ${message}; retrying`,
      });
    }
    this.error = message;
  }

  /** Ends the outage (logging it); false if there was none. */
  recovered(): boolean {
    if (this.error === undefined) return false;
    this.error = undefined;
    this.lastCode = undefined;
    this.logger.log({
      msg: `${this.what}: Redis${this.endpoint ? ` at ${this.endpoint}` : ''} reachable again`,
    });
    return true;
  }
}
