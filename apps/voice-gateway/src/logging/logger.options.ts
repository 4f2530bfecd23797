import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { LoggerOptions } from 'pino';
import type { AppConfig } from '../config';
import { SecretScrubber, useSecrets } from './secret-scrubber';

/** Requests that are polled often and carry no information: health probes and the metrics scrape. */
export function isQuietPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0];
  return (
    path === '/health' || path.startsWith('/health/') || path === '/metrics'
  );
}

/** pino-http's serialized request (its raw request is a non-enumerable `raw`). */
interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  remoteAddress?: string;
  raw?: { ip?: string };
}

/**
 * A request in a log line: id, method, URL and the client address (Express's `req.ip`, which honours
 * TRUST_PROXY, else the socket's), never the headers.
 */
export function requestSummary(
  req: SerializedRequest,
): Record<string, unknown> {
  return {
    id: req.id,
    method: req.method,
    url: req.url,
    remoteAddress: req.raw?.ip ?? req.remoteAddress,
  };
}

/** A response in a log line: its status code, never the headers. */
export function responseSummary(res: {
  statusCode?: number;
}): Record<string, unknown> {
  return { statusCode: res.statusCode };
}

/** Fields pino-http fills with the raw request/response; their serializers scrub what they produce. */
const RAW_HTTP_FIELDS: ReadonlySet<string> = new Set(['req', 'res']);

/**
 * pino options that put every byte a logger writes through `scrubber`, whatever the call's form:
 * - `hooks.logMethod`: each call's arguments before pino reads them — the merging object field by
 *   field (`logger.error({err, callSid}, msg)`, Nest's `Logger` through nestjs-pino), an Error passed
 *   alone (`logger.error(err)`), and every string (`logger.error(msg)`, `%s` arguments);
 * - `formatters.bindings`: child loggers' bindings (the per-call `callSid`/`streamSid` loggers);
 * - `serializers` err/error/req/res: what pino's and pino-http's own serializers produce;
 * - `hooks.streamWrite`: the finished JSON line, string literal by string literal — the backstop that
 *   also covers what pino derives itself (the `msg` it takes from `err.message`).
 */
export function scrubbingPinoOptions(
  scrubber: SecretScrubber,
): Pick<LoggerOptions, 'hooks' | 'formatters' | 'serializers'> {
  const scrub = (value: unknown): unknown => scrubber.value(value);
  return {
    hooks: {
      logMethod(args: unknown[], method) {
        const scrubbed = args.map((arg, index) => {
          if (typeof arg === 'string') return scrubber.text(arg);
          if (index > 0) return scrub(arg);
          if (arg instanceof Error) return { err: scrub(arg) };
          if (typeof arg === 'object' && arg !== null)
            return scrubber.fields(
              arg as Record<string, unknown>,
              RAW_HTTP_FIELDS,
            );
          return arg;
        });
        // An Error passed alone names the line after its message, as pino itself would.
        if (args[0] instanceof Error && scrubbed.length === 1)
          scrubbed.push(scrubber.text(args[0].message));
        return method.apply(this, scrubbed as Parameters<typeof method>);
      },
      streamWrite: (line: string) => scrubber.line(line),
    },
    formatters: {
      bindings: (bindings) => scrubber.fields(bindings, RAW_HTTP_FIELDS),
    },
    serializers: {
      err: scrub,
      error: scrub,
      req: (req: SerializedRequest) => scrub(requestSummary(req)),
      res: (res: { statusCode?: number }) => scrub(responseSummary(res)),
    },
  };
}

/**
 * nestjs-pino options: JSON logs (pretty in development) at `app.logLevel`, no access log for
 * /health, /health/* and /metrics, requests logged without headers, and every line scrubbed of credentials and of `app.secrets` (see scrubbingPinoOptions).
 * Also registers `app.secrets` with the process-wide scrubber (/health, error responses).
 */
export function loggerOptions(app: AppConfig): Params {
  const scrubber = useSecrets(app.secrets);
  return {
    pinoHttp: {
      level: app.logLevel,
      ...scrubbingPinoOptions(scrubber),
      // Logs written in a request's context (a call's lines, for minutes after its webhook) carry the
      // request's id, not the whole request again on every line.
      quietReqLogger: true,
      autoLogging: {
        ignore: (req: IncomingMessage) => isQuietPath(req.url),
      },
      transport:
        app.nodeEnv === 'development'
          ? { target: 'pino-pretty', options: { singleLine: true } }
          : undefined,
    },
  };
}
