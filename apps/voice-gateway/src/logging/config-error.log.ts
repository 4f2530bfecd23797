import pino from 'pino';
import { scrubText } from './secret-scrubber';

/**
 * The first line of a configuration error, whoever throws it: `Invalid environment:` (validateEnv,
 * GEMINI_SYSTEM_INSTRUCTION_FILE), `Invalid AGENT_PROFILES_FILE (<path>):` (the profile file loader),
 * `Invalid agent profiles:` (profiles naming tools no module declares). Each problem follows on its
 * own `  - …` line.
 */
const CONFIG_ERROR_HEADER =
  /^Invalid (environment|agent profiles|[A-Z][A-Z0-9_]+(?: \([^\n]*\))?):[ \t]*(?:\n|$)/;

/**
 * Whether `err` is a configuration error: one the operator fixes in the environment or a file it
 * names, so a stack trace would only hide the list of problems.
 */
export function isConfigError(err: unknown): err is Error {
  return err instanceof Error && CONFIG_ERROR_HEADER.test(err.message);
}

/**
 * The problems a configuration error lists, one per `  - …` line; those of a named variable's file
 * are prefixed with the variable (`AGENT_PROFILES_FILE (/etc/p.json): …`).
 */
export function configProblems(err: Error): string[] {
  const header = CONFIG_ERROR_HEADER.exec(err.message);
  if (!header) return [err.message];
  const subject = header[1] === 'environment' ? '' : `${header[1]}: `;
  const items: string[] = [];
  for (const line of err.message.slice(header[0].length).split('\n')) {
    const item = /^\s*-\s+(.*)$/.exec(line);
    if (item) items.push(item[1].trim());
    // A continuation line belongs to the item above it.
    else if (line.trim() !== '' && items.length > 0)
      items[items.length - 1] += ` ${line.trim()}`;
  }
  return items.length > 0
    ? items.map((item) => subject + item)
    : [err.message.split('\n')[0]];
}

/**
 * A configuration error as one JSON log line in the service's log format (pino: level, time, pid,
 * hostname, msg), with the problems as a list and no stack: `fatal`, as the service cannot start.
 * Scrubbed like every other line (validateEnv never echoes a secret's value, but a file loader's
 * message might quote one).
 */
export function configErrorLine(err: Error): string {
  const problems = configProblems(err).map(scrubText);
  let line = '';
  const logger = pino(
    { level: 'fatal' },
    {
      write: (text: string) => {
        line += text;
      },
    },
  );
  const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  logger.fatal(
    { context: 'Bootstrap', problems },
    `Invalid configuration: the service cannot start (${count}: ${problems.join('; ')})`,
  );
  return line;
}
