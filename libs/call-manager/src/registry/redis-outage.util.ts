import type { Logger } from '@nestjs/common';

/** Logs the start and the end of a Redis outage once each, however often it is reported. */
export class RedisOutage {
  private error: string | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  /** The error that started the current outage; undefined while Redis answers. */
  get current(): string | undefined {
    return this.error;
  }

  failed(err: unknown, during: string): void {
    const message = err instanceof Error ? err.message : String(err);
    if (this.error === undefined) {
      this.logger.warn({
        err: message,
        during,
        msg: `${this.what}: Redis unreachable; retrying`,
      });
    }
    this.error = message;
  }

  /** Ends the outage (logging it); false if there was none. */
  recovered(): boolean {
    if (this.error === undefined) return false;
    this.error = undefined;
    this.logger.log({ msg: `${this.what}: Redis reachable again` });
    return true;
  }
}
