import { Logger as NestLogger } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Logger, PinoLogger } from 'nestjs-pino';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import pino from 'pino';
import { pinoHttp, Options as PinoHttpOptions } from 'pino-http';
import type { AppConfig } from '../config';
import { isQuietPath, loggerOptions } from './logger.options';

const TOKEN = 'twilio-auth-token-0a1b2c3d4e5f';
const ADMIN_KEY = 'admin-key-0123456789abcdef';
const app = {
  logLevel: 'debug',
  nodeEnv: 'production',
  secrets: [TOKEN, ADMIN_KEY],
} as AppConfig;

/** pino options as the service builds them, and the lines they write. */
function capture(): {
  options: PinoHttpOptions;
  lines: string[];
  stream: Writable;
} {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const { pinoHttp: options } = loggerOptions(app);
  return { options: options as PinoHttpOptions, lines, stream };
}

/** The fields of a log line these tests read. */
interface LogLine {
  msg?: string;
  context?: string;
  err?: { type?: string; config?: { headers?: Record<string, string> } };
  req?: {
    url?: string;
    method?: string;
    remoteAddress?: string;
    headers?: Record<string, string>;
  };
  res?: { statusCode?: number };
  [field: string]: unknown;
}

function expectClean(lines: string[]): LogLine[] {
  const text = lines.join('');
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(ADMIN_KEY);
  expect(text).not.toContain(Buffer.from(`AC1:${TOKEN}`).toString('base64'));
  return lines.map((line) => JSON.parse(line) as LogLine);
}

/** An upstream error quoting credentials, with a field whose getter throws. */
function leakyError(): Error {
  const basic = Buffer.from(`AC1:${TOKEN}`).toString('base64');
  const err = Object.assign(new Error(`401 for Basic ${basic}`), {
    config: { headers: { Authorization: `Bearer ${ADMIN_KEY}` } },
  });
  return Object.defineProperty(err, 'exploding', {
    enumerable: true,
    get(): never {
      throw new Error('getter');
    },
  });
}

describe('loggerOptions: every form of log call is scrubbed', () => {
  it('pino called directly: ({err}, msg), (msg), (err), (err, msg), %s arguments, child bindings', () => {
    const { options, lines, stream } = capture();
    const logger = pino(options, stream);
    logger.error(
      { err: leakyError(), callSid: 'CA1' },
      `hang-up failed: ${TOKEN}`,
    );
    logger.error(`plain message with ${TOKEN}`);
    logger.error(leakyError());
    logger.warn(leakyError(), 'with a message');
    logger.info('format %s and %j', TOKEN, { key: 'k', note: TOKEN });
    // Bindings never pass through the hooks: an unconfigured value under a credential-named key
    // must still go (the url's key is caught anyway, as a configured secret).
    logger
      .child({
        callSid: 'CA2',
        url: `wss://h?key=${ADMIN_KEY}`,
        token: 'zzz-not-configured-123',
        authorization: 'Bearer zzz-not-configured-456',
      })
      .info({ apiKey: 'k' }, 'child');
    const records = expectClean(lines);
    expect(records).toHaveLength(6);
    expect(records[0]).toMatchObject({
      callSid: 'CA1',
      msg: 'hang-up failed: [redacted]',
    });
    expect(records[0].err).toMatchObject({
      type: 'Error',
      exploding: '[Unreadable]',
    });
    expect(records[0].err?.config?.headers?.Authorization).toBe('[redacted]');
    expect(records[2].msg).toBe('401 for Basic [redacted]');
    expect(records[5]).toMatchObject({
      callSid: 'CA2',
      apiKey: '[redacted]',
      url: 'wss://h?key=[redacted]',
      token: '[redacted]',
      authorization: '[redacted]',
    });
    expect(lines.join('\n')).not.toContain('zzz-not-configured');
  });

  describe('through Nest', () => {
    afterEach(() => __resetOutOfContextForTests());

    it("Nest's Logger via nestjs-pino (app.useLogger): objects, strings, errors, exception-handler form", () => {
      const { options, lines, stream } = capture();
      const pinoLogger = new PinoLogger({ pinoHttp: [options, stream] });
      NestLogger.overrideLogger(new Logger(pinoLogger, {}));
      try {
        const logger = new NestLogger('TwilioCallControl');
        logger.warn({
          callSid: 'CA1',
          err: leakyError(),
          msg: 'Twilio REST hang-up failed',
        });
        logger.error(`failed with ${TOKEN}`);
        logger.error(leakyError());
        // Nest's ExceptionsHandler: error(message, stack).
        const err = leakyError();
        new NestLogger('ExceptionsHandler').error(err.message, err.stack);
      } finally {
        NestLogger.overrideLogger(false);
      }
      const records = expectClean(lines);
      expect(records.map((r) => r.context)).toEqual([
        'TwilioCallControl',
        'TwilioCallControl',
        'TwilioCallControl',
        'ExceptionsHandler',
      ]);
      expect(records[0]).toMatchObject({
        callSid: 'CA1',
        msg: 'Twilio REST hang-up failed',
      });
    });
  });

  describe('pino-http (request logs and req.log)', () => {
    let server: Server;
    afterEach(
      () => new Promise<void>((resolve) => server.close(() => resolve())),
    );

    it('logs method, scrubbed URL and client address (no headers), and scrubs errors logged on the request logger', async () => {
      const { options, lines, stream } = capture();
      const middleware = pinoHttp(options, stream);
      server = createServer((req, res) => {
        middleware(req, res);
        req.log.error({ err: leakyError() }, 'handler failed');
        res.statusCode = 500;
        res.end();
      });
      await new Promise<void>((resolve) =>
        server.listen(0, '127.0.0.1', resolve),
      );
      const { port } = server.address() as AddressInfo;
      await fetch(`http://127.0.0.1:${port}/calls?key=${ADMIN_KEY}`, {
        headers: {
          Authorization: `Bearer ${ADMIN_KEY}`,
          Cookie: 's=1',
          'X-Twilio-Signature': 'sig',
        },
      });
      const records = expectClean(lines);
      const [handler, completed] = records;
      expect(handler.err).toMatchObject({
        type: 'Error',
        config: { headers: { Authorization: '[redacted]' } },
      });
      expect(completed.req).toEqual({
        id: expect.anything() as unknown,
        method: 'GET',
        url: '/calls?key=[redacted]',
        remoteAddress: '127.0.0.1',
      });
      expect(completed.res).toEqual({ statusCode: 500 });
      expect(JSON.stringify(completed)).not.toMatch(
        /cookie|x-twilio-signature|headers/i,
      );
    });

    it('writes no access log for health probes and the metrics scrape', async () => {
      const { options, lines, stream } = capture();
      const middleware = pinoHttp(options, stream);
      server = createServer((req, res) => {
        middleware(req, res);
        res.end();
      });
      await new Promise<void>((resolve) =>
        server.listen(0, '127.0.0.1', resolve),
      );
      const { port } = server.address() as AddressInfo;
      for (const path of ['/health', '/health/ready?x=1', '/metrics', '/calls'])
        await fetch(`http://127.0.0.1:${port}${path}`);
      expect(expectClean(lines).map((r) => r.req?.url)).toEqual(['/calls']);
      expect(isQuietPath('/healthz')).toBe(false);
      expect(isQuietPath('/metrics/x')).toBe(false);
    });
  });
});
