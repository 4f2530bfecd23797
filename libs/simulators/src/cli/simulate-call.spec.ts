import { parseArgs } from './simulate-call';

describe('simulate-call arguments', () => {
  it('applies defaults and reads every option', () => {
    expect(parseArgs(['--auth-token', 't'])).toEqual({
      url: 'http://127.0.0.1:8080',
      publicUrl: 'http://127.0.0.1:8080',
      authToken: 't',
      out: 'heard.wav',
      seconds: 15,
      wav: undefined,
      from: undefined,
      to: undefined,
    });
    const args = parseArgs(
      [
        '--url',
        'http://h:1',
        '--public-url',
        'https://p',
        '--auth-token',
        't',
        '--wav',
        'a.wav',
      ].concat([
        '--from',
        '+1',
        '--to',
        '+2',
        '--out',
        'o.wav',
        '--seconds',
        '3',
      ]),
    );
    expect(args).toMatchObject({
      publicUrl: 'https://p',
      wav: 'a.wav',
      out: 'o.wav',
      seconds: 3,
    });
  });

  it('rejects missing tokens, unknown options and dangling flags', () => {
    expect(() => parseArgs([])).toThrow(/--auth-token is required/);
    expect(() => parseArgs(['--auth-token', 't', '--nope', '1'])).toThrow(
      /unknown option --nope/,
    );
    expect(() => parseArgs(['--auth-token'])).toThrow(/bad argument/);
  });
});
