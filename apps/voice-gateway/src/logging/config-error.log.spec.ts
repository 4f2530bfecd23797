import { validateEnv } from '../config';
import {
  configErrorLine,
  configProblems,
  isConfigError,
} from './config-error.log';
import { useSecrets } from './secret-scrubber';

/** validateEnv's error for `env`. */
function envError(env: Record<string, string>): Error {
  try {
    validateEnv(env);
  } catch (err) {
    return err as Error;
  }
  throw new Error('validateEnv accepted the environment');
}

describe('configuration errors as one JSON log line', () => {
  afterEach(() => useSecrets([]));

  it("recognises validateEnv's, the profile file loader's and the profiles' errors, and nothing else", () => {
    expect(isConfigError(envError({ PORT: 'abc' }))).toBe(true);
    expect(
      isConfigError(
        new Error(
          'Invalid AGENT_PROFILES_FILE (/p.json):\n  - ENOENT: no file',
        ),
      ),
    ).toBe(true);
    expect(
      isConfigError(new Error('Invalid agent profiles:\n  - default: tool')),
    ).toBe(true);
    expect(isConfigError(new Error('listen EADDRINUSE'))).toBe(false);
    expect(isConfigError(new Error('Invalid or missing signature'))).toBe(
      false,
    );
    expect(isConfigError('Invalid environment:')).toBe(false);
  });

  it('lists each problem, prefixed with the variable for a file it names', () => {
    expect(
      configProblems(envError({ PORT: 'abc', LOG_LEVEL: 'loud' })),
    ).toEqual([
      'PORT: must be an integer between 1 and 65535 (got "abc")',
      'LOG_LEVEL: must be one of fatal|error|warn|info|debug|trace|silent (got "loud")',
    ]);
    expect(
      configProblems(
        new Error(
          'Invalid AGENT_PROFILES_FILE (/p.json):\n  - numbers.+1: not E.164\n    (use +14155550100)',
        ),
      ),
    ).toEqual([
      'AGENT_PROFILES_FILE (/p.json): numbers.+1: not E.164 (use +14155550100)',
    ]);
  });

  it('is one pino JSON line at fatal with the problems as a list, no stack, secrets scrubbed', () => {
    useSecrets(['sk-very-secret-value']);
    const err = new Error(
      'Invalid environment:\n  - PORT: must be an integer between 1 and 65535 (got "abc")\n  - X: quoted sk-very-secret-value',
    );
    const line = configErrorLine(err);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trim().split('\n')).toHaveLength(1);
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record).toMatchObject({
      level: 60,
      time: expect.any(Number) as number,
      pid: process.pid,
      context: 'Bootstrap',
      problems: [
        'PORT: must be an integer between 1 and 65535 (got "abc")',
        'X: quoted [redacted]',
      ],
    });
    expect(record.msg).toMatch(
      /^Invalid configuration: the service cannot start \(2 problems: PORT: must be/,
    );
    expect(line).not.toContain('sk-very-secret-value');
    expect(line).not.toMatch(/\bat \S+ \(|stack/);
  });
});
