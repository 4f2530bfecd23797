import { Logger } from '@nestjs/common';

/** A logger whose every line carries the call's identifiers (callSid, streamSid). */
export class CallLog {
  private readonly logger: Logger;

  constructor(
    context: string,
    private readonly bindings: Record<string, string>,
  ) {
    this.logger = new Logger(context);
  }

  with(extra: Record<string, string>): CallLog {
    return new CallLog(this.logger['context'] as string, {
      ...this.bindings,
      ...extra,
    });
  }

  info(msg: string, fields: Record<string, unknown> = {}): void {
    this.logger.log({ ...this.bindings, ...fields, msg });
  }

  error(msg: string, fields: Record<string, unknown> = {}): void {
    this.logger.error({ ...this.bindings, ...fields, msg });
  }

  warn(msg: string, fields: Record<string, unknown> = {}): void {
    this.logger.warn({ ...this.bindings, ...fields, msg });
  }

  debug(msg: string, fields: Record<string, unknown> = {}): void {
    this.logger.debug({ ...this.bindings, ...fields, msg });
  }
}
