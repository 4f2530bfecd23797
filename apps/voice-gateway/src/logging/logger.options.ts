import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config';

/** Requests that are polled often and carry no information. */
const QUIET_PATHS = new Set(['/health']);

export function loggerOptions(app: AppConfig): Params {
  return {
    pinoHttp: {
      level: app.logLevel,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-twilio-signature"]',
        ],
        censor: '[redacted]',
      },
      autoLogging: {
        ignore: (req: IncomingMessage) =>
          QUIET_PATHS.has((req.url ?? '').split('?')[0]),
      },
      transport:
        app.nodeEnv === 'development'
          ? { target: 'pino-pretty', options: { singleLine: true } }
          : undefined,
    },
  };
}
