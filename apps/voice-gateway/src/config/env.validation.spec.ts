import { validateEnv } from './env.validation';

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
