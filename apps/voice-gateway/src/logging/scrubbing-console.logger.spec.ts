import { ScrubbingConsoleLogger } from './scrubbing-console.logger';
import { useSecrets } from './secret-scrubber';

const SECRET = 'bootstrap-secret-0123456789';

describe('ScrubbingConsoleLogger (logs before pino exists)', () => {
  it('prints strings, errors (message and stack) and objects without credentials', () => {
    useSecrets([SECRET]);
    const written: string[] = [];
    const capture = (chunk: string | Uint8Array): boolean => {
      written.push(String(chunk));
      return true;
    };
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      const logger = new ScrubbingConsoleLogger();
      logger.error(new Error(`boot failed: redis://:${SECRET}@127.0.0.1:1`));
      logger.error(
        `failed ${SECRET}`,
        `Error: x\n    at ${SECRET}`,
        'Bootstrap',
      );
      logger.warn({ password: 'hunter2', note: SECRET });
      logger.log(`connecting to postgres://app:${SECRET}@db/calls`, 'Store');
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    const text = written.join('');
    expect(text).toContain('boot failed: redis://:[redacted]@127.0.0.1:1');
    expect(text).toContain('postgres://app:[redacted]@db/calls');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(SECRET);
  });
});
