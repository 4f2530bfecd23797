import { ConsoleLogger } from '@nestjs/common';
import { secretScrubber } from './secret-scrubber';

/** One logger argument without credentials; Errors stay Errors so that Nest still prints their stack. */
function scrubArg(arg: unknown): unknown {
  const scrubber = secretScrubber();
  if (typeof arg === 'string') return scrubber.text(arg);
  if (arg instanceof Error) {
    const copy = new Error(scrubber.text(arg.message));
    copy.name = arg.name;
    copy.stack = arg.stack === undefined ? undefined : scrubber.text(arg.stack);
    return copy;
  }
  if (typeof arg === 'object' && arg !== null) return scrubber.value(arg);
  return arg;
}

/**
 * Nest's ConsoleLogger with every argument scrubbed by the process-wide secret scrubber: the logger
 * for what is logged before the pino logger exists (bootstrap, a module that fails to initialise
 * with a database URL in its error) — buffered logs are flushed to it when the app never starts.
 */
export class ScrubbingConsoleLogger extends ConsoleLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    super.log(scrubArg(message), ...optionalParams.map(scrubArg));
  }

  override error(message: unknown, ...optionalParams: unknown[]): void {
    super.error(scrubArg(message), ...optionalParams.map(scrubArg));
  }

  override warn(message: unknown, ...optionalParams: unknown[]): void {
    super.warn(scrubArg(message), ...optionalParams.map(scrubArg));
  }

  override debug(message: unknown, ...optionalParams: unknown[]): void {
    super.debug(scrubArg(message), ...optionalParams.map(scrubArg));
  }

  override verbose(message: unknown, ...optionalParams: unknown[]): void {
    super.verbose(scrubArg(message), ...optionalParams.map(scrubArg));
  }

  override fatal(message: unknown, ...optionalParams: unknown[]): void {
    super.fatal(scrubArg(message), ...optionalParams.map(scrubArg));
  }
}
