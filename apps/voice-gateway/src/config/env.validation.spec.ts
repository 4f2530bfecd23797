import {
  parseExampleModules,
  parseTrustProxy,
  validateEnv,
} from './env.validation';

function errorLines(raw: Record<string, string>): string[] {
  try {
    validateEnv(raw);
  } catch (error) {
    const [heading, ...lines] = (error as Error).message.split('\n');
    expect(heading).toBe('Invalid environment:');
    return lines;
  }
  throw new Error('expected validateEnv to throw');
}

describe('validateEnv', () => {
  it('applies defaults to an empty environment', () => {
    const env = validateEnv({});

    expect(env).toMatchObject({
      PORT: 8080,
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      GEMINI_MODEL: 'gemini-3.8-live',
      GEMINI_VOICE: 'Kore',
      MAX_CONCURRENT_CALLS: 100,
      DATABASE_URL: 'sqlite:data/calls.db',
    });
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.WEBHOOK_BASE_URL).toBeUndefined();
  });

  it('UPSTREAM_FRAME_MS: 20 by default, whole Twilio frames up to 100 ms', () => {
    expect(validateEnv({}).UPSTREAM_FRAME_MS).toBe(20);
    expect(validateEnv({ UPSTREAM_FRAME_MS: '40' }).UPSTREAM_FRAME_MS).toBe(40);
    expect(errorLines({ UPSTREAM_FRAME_MS: '25' })).toEqual([
      '  - UPSTREAM_FRAME_MS: must be one of 20, 40, 60, 80, 100 (ms) (got "25")',
    ]);
  });

  it('treats empty strings as unset', () => {
    const env = validateEnv({ PORT: '', TWILIO_ACCOUNT_SID: '' });

    expect(env.PORT).toBe(8080);
    expect(env.TWILIO_ACCOUNT_SID).toBeUndefined();
  });

  it('accepts a complete, valid environment and converts numbers', () => {
    const env = validateEnv({
      PORT: '3000',
      LOG_LEVEL: 'debug',
      NODE_ENV: 'development',
      WEBHOOK_BASE_URL: 'https://voice.example.com',
      TWILIO_ACCOUNT_SID: `AC${'a1'.repeat(16)}`,
      TWILIO_AUTH_TOKEN: 'secret',
      TWILIO_PHONE_NUMBER: '+14155550100',
      GEMINI_API_KEY: 'key',
      GEMINI_LIVE_URL: 'ws://127.0.0.1:9000/live',
      ADMIN_API_KEY: 'x'.repeat(16),
      MAX_CONCURRENT_CALLS: '5',
      DATABASE_URL: 'postgresql://u:p@db:5432/calls',
      REDIS_URL: 'rediss://cache:6380',
      UNRELATED: 'ignored',
    });

    expect(env.PORT).toBe(3000);
    expect(env.MAX_CONCURRENT_CALLS).toBe(5);
    expect(env).not.toHaveProperty('UNRELATED');
  });

  it('reports every bad variable on its own line', () => {
    const lines = errorLines({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      WEBHOOK_BASE_URL: 'http://voice.example.com',
      TWILIO_ACCOUNT_SID: 'XX123',
      TWILIO_PHONE_NUMBER: '4155550100',
      GEMINI_LIVE_URL: 'https://example.com',
      ADMIN_API_KEY: 'short',
      MAX_CONCURRENT_CALLS: '0',
      DATABASE_URL: 'mysql://localhost/calls',
      REDIS_URL: 'localhost:6379',
    });

    expect(lines).toEqual([
      '  - PORT: must be an integer between 1 and 65535 (got "abc")',
      expect.stringMatching(/^ {2}- LOG_LEVEL: must be one of fatal\|/),
      expect.stringMatching(/^ {2}- WEBHOOK_BASE_URL: must be an https URL/),
      expect.stringMatching(/^ {2}- TWILIO_ACCOUNT_SID: /),
      expect.stringMatching(/^ {2}- TWILIO_PHONE_NUMBER: must be an E\.164/),
      expect.stringMatching(/^ {2}- GEMINI_LIVE_URL: /),
      expect.stringMatching(/^ {2}- ADMIN_API_KEY: /),
      expect.stringMatching(/^ {2}- MAX_CONCURRENT_CALLS: /),
      expect.stringMatching(/^ {2}- DATABASE_URL: /),
      expect.stringMatching(/^ {2}- REDIS_URL: /),
    ]);
  });

  it.each([
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['WEBHOOK_BASE_URL', 'https://voice.example.com/'],
    ['MAX_CONCURRENT_CALLS', 'many'],
    ['UPSTREAM_FRAME_MS', '30'],
    ['UPSTREAM_FRAME_MS', '10'],
    ['UPSTREAM_FRAME_MS', '120'],
  ])('rejects %s=%s', (key, value) => {
    const lines = errorLines({ [key]: value });

    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`- ${key}: `);
  });

  it('never echoes secrets or URL credentials', () => {
    const message = errorLines({
      ADMIN_API_KEY: 'hunter2',
      DATABASE_URL: 'mysql://admin:hunter2@db/calls',
    }).join('\n');

    expect(message).not.toContain('hunter2');
    expect(message).toContain('ADMIN_API_KEY');
    expect(message).toContain('DATABASE_URL');
  });
});

describe('validateEnv: values with their own parsers, and pairs', () => {
  it.each([
    ['1', 1],
    ['0', 0],
    ['true', true],
    ['false', false],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.168.1.7', ['10.0.0.0/8', '192.168.1.7']],
    ['::1,fd00::/8', ['::1', 'fd00::/8']],
  ])('parses TRUST_PROXY=%s', (value, parsed) => {
    expect(parseTrustProxy(value)).toEqual(parsed);
    expect(() => validateEnv({ TRUST_PROXY: value })).not.toThrow();
  });

  it.each([
    'yes',
    'proxy.example.com',
    '1.2.3',
    '-1',
    '10.0.0.0/33',
    'fe80::1/200',
    '999.1.1.1',
    '::::',
    ':',
    '10.0.0.1,,10.0.0.2',
  ])('rejects TRUST_PROXY=%s', (value) => {
    expect(errorLines({ TRUST_PROXY: value })).toEqual([
      expect.stringMatching(
        /^ {2}- TRUST_PROXY: must be true, false, a hop count/,
      ),
    ]);
  });

  it('EXAMPLE_MODULES takes a comma list of the bundled examples, nothing else', () => {
    expect(parseExampleModules('opening-hours, call-summary')).toEqual([
      'opening-hours',
      'call-summary',
    ]);
    expect(errorLines({ EXAMPLE_MODULES: 'opening-hours,crm' })).toEqual([
      expect.stringMatching(
        /^ {2}- EXAMPLE_MODULES: must be a comma list of opening-hours, call-summary/,
      ),
    ]);
  });

  it('GEMINI_LIVE_URL must be wss:// unless it points at loopback', () => {
    for (const url of [
      'ws://127.0.0.1:9000',
      'ws://localhost:9000/live',
      'ws://[::1]:9000',
      'wss://gemini.example.com',
    ]) {
      expect(() => validateEnv({ GEMINI_LIVE_URL: url })).not.toThrow();
    }
    expect(errorLines({ GEMINI_LIVE_URL: 'ws://gemini.example.com' })).toEqual([
      expect.stringMatching(/^ {2}- GEMINI_LIVE_URL: must be wss:\/\//),
    ]);
    expect(errorLines({ GEMINI_LIVE_URL: 'ws://10.0.0.5:9000' })).toHaveLength(
      1,
    );
  });

  it('TWILIO_API_BASE_URL must be https:// unless it points at loopback (the auth token goes with it)', () => {
    for (const url of ['http://127.0.0.1:4010', 'https://api.twilio.test']) {
      expect(() => validateEnv({ TWILIO_API_BASE_URL: url })).not.toThrow();
    }
    expect(
      errorLines({ TWILIO_API_BASE_URL: 'http://twilio-fake.example.com' }),
    ).toEqual([
      expect.stringMatching(/^ {2}- TWILIO_API_BASE_URL: must be https:\/\//),
    ]);
    expect(errorLines({ TWILIO_API_BASE_URL: 'ftp://x' })).toHaveLength(1);
  });

  it('one Vertex variable without the other names the missing one', () => {
    expect(errorLines({ GOOGLE_CLOUD_PROJECT: 'my-project' })).toEqual([
      '  - GOOGLE_CLOUD_LOCATION: must be set with GOOGLE_CLOUD_PROJECT (Vertex AI needs both) (unset)',
    ]);
    expect(errorLines({ GOOGLE_CLOUD_LOCATION: 'us-central1' })).toEqual([
      '  - GOOGLE_CLOUD_PROJECT: must be set with GOOGLE_CLOUD_LOCATION (Vertex AI needs both) (unset)',
    ]);
    expect(() =>
      validateEnv({
        GOOGLE_CLOUD_PROJECT: 'my-project',
        GOOGLE_CLOUD_LOCATION: 'us-central1',
      }),
    ).not.toThrow();
  });
});
