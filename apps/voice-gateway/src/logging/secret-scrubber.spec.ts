import { EventEmitter } from 'node:events';
import { base64Fingerprints, REDACTED } from './secret-patterns';
import { SecretScrubber, scrubText, useSecrets } from './secret-scrubber';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'twilio-auth-token-9f8e7d6c5b4a';
const DB_PASSWORD = 'S3cretPw-db';
const SECRETS = [
  TOKEN,
  DB_PASSWORD,
  'gemini-key-AIzaSyFAKE0123',
  'x"y\\z-quoted',
];
const BASIC = Buffer.from(`${SID}:${TOKEN}`).toString('base64');

const scrubber = new SecretScrubber(SECRETS);

/** The shape SecretScrubber gives an Error. */
interface SerializedError {
  type: string;
  message: string;
  stack: string;
  code?: string;
  cause: SerializedError;
  aggregateErrors: SerializedError[];
}

/** Fails with the offending text when any configured secret (or base64 of sid:token) survives. */
function expectClean(text: string): void {
  for (const secret of [...SECRETS, BASIC]) expect(text).not.toContain(secret);
}

describe('SecretScrubber: credential keys at any depth', () => {
  it('redacts credential headers whatever their case, and credential-named fields', () => {
    const out = scrubber.value({
      headers: {
        Authorization: 'Basic abc',
        'PROXY-AUTHORIZATION': 'x',
        cookie: 'sid=1',
        'X-Twilio-Signature': 'sig',
        'x-goog-api-key': 'k',
        'api-key': 'k',
      },
      deep: [
        { a: { b: { accessToken: 't', client_secret: 's', dbPassword: 'p' } } },
      ],
      apiKey: 'k',
      key: 'k',
      token: 't',
      config: { auth: { username: 'AC1', password: 'p' } },
      tokenCount: 3,
      cacheKey: 'calls:1',
      hasToken: true,
    }) as Record<string, unknown>;
    expect(out).toEqual({
      headers: {
        Authorization: REDACTED,
        'PROXY-AUTHORIZATION': REDACTED,
        cookie: REDACTED,
        'X-Twilio-Signature': REDACTED,
        'x-goog-api-key': REDACTED,
        'api-key': REDACTED,
      },
      deep: [
        {
          a: {
            b: {
              accessToken: REDACTED,
              client_secret: REDACTED,
              dbPassword: REDACTED,
            },
          },
        },
      ],
      apiKey: REDACTED,
      key: REDACTED,
      token: REDACTED,
      config: { auth: REDACTED },
      tokenCount: 3,
      cacheKey: 'calls:1',
      hasToken: true,
    });
  });
});

describe('SecretScrubber: credentials inside strings', () => {
  it.each([
    [
      '?key=',
      'GET https://x.test/v1?key=AIzaOther&alt=sse',
      'GET https://x.test/v1?key=[redacted]&alt=sse',
    ],
    [
      '&access_token=',
      'url /a?b=1&access_token=ya29.abc',
      'url /a?b=1&access_token=[redacted]',
    ],
    [
      'token=',
      'failed: token=abc123 expired',
      'failed: token=[redacted] expired',
    ],
    [
      'form body',
      'refresh_token=1//0g&client_secret=GOCSPX-x',
      'refresh_token=[redacted]&client_secret=[redacted]',
    ],
    [
      'user:password@',
      'postgres://app:hunter22@db:5432/calls',
      'postgres://app:[redacted]@db:5432/calls',
    ],
    [
      'redis :password@',
      'redis://:pa55word@127.0.0.1:6379',
      'redis://:[redacted]@127.0.0.1:6379',
    ],
    [
      'Bearer',
      'Authorization: Bearer ya29.a0AfH6SM',
      'Authorization: [redacted]',
    ],
    [
      'Basic (any)',
      'sent Basic QUM6c2VjcmV0LXZhbHVl twice',
      'sent Basic [redacted] twice',
    ],
    [
      'header text',
      '{"x-goog-api-key": "AIzaSy123", "a": 1}',
      '{"x-goog-api-key": "[redacted]", "a": 1}',
    ],
  ])('%s', (_, input, expected) => {
    expect(scrubber.text(input)).toBe(expected);
  });

  it('removes the configured secrets wherever they are: as is, URL-encoded, JSON-escaped, in base64', () => {
    const quoted = SECRETS[3];
    const text = [
      `auth failed for ${TOKEN} at host`,
      `conn string pw ${DB_PASSWORD}`,
      `encoded ${encodeURIComponent(quoted)}`,
      `json ${JSON.stringify({ q: quoted })}`,
      `header ${BASIC}`,
      `jwt ${Buffer.from(`{"k":"${TOKEN}"}`).toString('base64url')}.sig`,
    ].join('\n');
    const out = scrubber.text(text);
    expectClean(out);
    expect(out).not.toContain(encodeURIComponent(quoted));
    expect(out).not.toContain(JSON.stringify(quoted).slice(1, -1));
    expect(out).toContain(`auth failed for ${REDACTED} at host`);
  });

  it('finds base64(sid:token) in every alignment, with no false positive on other base64', () => {
    for (const prefix of ['', 'a', 'ab', `${SID}:`]) {
      const encoded = Buffer.from(`${prefix}${TOKEN}-tail`).toString('base64');
      expect(scrubber.text(`x ${encoded} y`)).toBe(`x ${REDACTED} y`);
    }
    const other = Buffer.from(`${SID}:another-token-entirely`).toString(
      'base64',
    );
    expect(scrubber.text(other)).toBe(other);
    expect(base64Fingerprints('short')).toEqual([]);
  });

  it('scrubs messages and stacks of errors, their causes, nested and aggregated errors', () => {
    const cause = new Error(`connect to postgres://u:${DB_PASSWORD}@h failed`);
    const inner = Object.assign(new TypeError(`bad key=${TOKEN}`), {
      code: 'E1',
    });
    const agg = new AggregateError(
      [inner, new Error('plain')],
      `all failed: ${TOKEN}`,
      { cause },
    );
    const wrapper = Object.assign(new Error('outer'), { upstream: agg });
    const out = scrubber.value(wrapper) as {
      upstream: SerializedError;
    } & SerializedError;
    const text = JSON.stringify(out);
    expectClean(text);
    expect(out.type).toBe('Error');
    expect(out.upstream.type).toBe('AggregateError');
    expect(out.upstream.message).toBe(`all failed: ${REDACTED}`);
    expect(out.upstream.stack).toContain(
      'AggregateError: all failed: [redacted]',
    );
    expect(out.upstream.cause.message).toBe(
      'connect to postgres://u:[redacted]@h failed',
    );
    expect(out.upstream.aggregateErrors[0]).toMatchObject({
      type: 'TypeError',
      code: 'E1',
    });
    expect(out.upstream.aggregateErrors[1].message).toBe('plain');
  });
});

describe('SecretScrubber: awkward and huge values', () => {
  it('survives cycles, throwing getters, throwing proxies, buffers, sockets and odd types', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    const shared = { n: 1 };
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error(TOKEN);
        },
      },
    );
    const out = scrubber.value({
      cyclic,
      twice: [shared, shared],
      get broken(): string {
        throw new Error(TOKEN);
      },
      hostile,
      buffer: Buffer.from(TOKEN),
      bytes: new Uint8Array(4),
      emitter: new EventEmitter(),
      when: new Date(0),
      url: new URL(`https://u:${DB_PASSWORD}@h.test/p?key=zz`),
      big: 10n,
      fn: () => 1,
      map: new Map([['a', { password: 'p' }]]),
      set: new Set([1]),
    });
    expect(out).toEqual({
      cyclic: { name: 'a', self: '[Circular]' },
      twice: [{ n: 1 }, { n: 1 }],
      broken: '[Unreadable]',
      hostile: '[Unreadable]',
      buffer: `[Buffer ${Buffer.byteLength(TOKEN)} bytes]`,
      bytes: '[Uint8Array 4 bytes]',
      emitter: '[EventEmitter]',
      when: '1970-01-01T00:00:00.000Z',
      url: `https://u:${REDACTED}@h.test/p?key=${REDACTED}`,
      big: '10',
      map: { a: { password: REDACTED } },
      set: [1],
    });
  });

  it('caps depth, keys, items, strings and the objects visited', () => {
    const small = new SecretScrubber([TOKEN], {
      maxDepth: 3,
      maxKeys: 2,
      maxItems: 2,
      maxString: 20,
      maxNodes: 50,
    });
    expect(small.value({ a: { b: { c: { d: 1 } } } })).toEqual({
      a: { b: { c: '[Object]' } },
    });
    expect(small.value({ a: 1, b: 2, c: 3 })).toEqual({
      a: 1,
      b: 2,
      '…': '1 more keys',
    });
    expect(small.value([1, 2, 3])).toEqual([1, 2, '…1 more items']);
    expect(small.text(`${'x'.repeat(30)}${TOKEN}`)).toBe(
      `${'x'.repeat(20)}…[20 more characters]`,
    );
    const wide = Array.from({ length: 40 }, () => [{ a: 1 }, { b: 2 }]);
    expect(
      JSON.stringify(new SecretScrubber([], { maxNodes: 10 }).value(wide)),
    ).toContain('[Truncated]');
    const huge = `${TOKEN} ${'y'.repeat(2_000_000)}`;
    expect(scrubber.text(huge).startsWith(REDACTED)).toBe(true);
  });

  it('reads only what it keeps: entries past the caps are never read (huge objects, Maps, Sets)', () => {
    const capped = new SecretScrubber([], { maxKeys: 10, maxItems: 10 });
    let reads = 0;
    const wide: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i += 1)
      Object.defineProperty(wide, `k${i}`, {
        enumerable: true,
        get: () => (reads += 1),
      });
    const out = capped.value(wide) as Record<string, unknown>;
    expect(reads).toBe(10);
    expect(out['…']).toBe('9990 more keys');

    let pulled = 0;
    const lazy = new Map<number, number>();
    for (let i = 0; i < 10_000; i += 1) lazy.set(i, i);
    const entries = lazy.entries.bind(lazy);
    lazy.entries = () => {
      const it = entries();
      return Object.assign(Object.create(it) as typeof it, {
        next: () => {
          pulled += 1;
          return it.next();
        },
      });
    };
    expect(capped.value(lazy)).toMatchObject({ '…': '9990 more keys' });
    expect(pulled).toBeLessThanOrEqual(11);
    const set = capped.value(
      new Set(Array.from({ length: 1000 }, (_, i) => i)),
    );
    expect(set).toHaveLength(11);
    expect((set as unknown[])[10]).toBe('…990 more items');
  });

  it('costs a log line no more than a few serializations of it (20k error records)', () => {
    const record = {
      callSid: 'CA0123',
      streamSid: 'MZ0123',
      msg: 'Call ended after 42 s (hangup)',
      err: new Error(
        'Gemini session closed (1006) Unexpected server response: 401',
      ),
    };
    const plain = {
      ...record,
      err: { ...record.err, stack: record.err.stack },
    };
    // Timed against the same record's JSON in the same run (machines differ several-fold): scrubbing
    // walks it, copies it and scans each string for every secret. A catastrophic pattern or a walk
    // gone quadratic costs orders of magnitude more; the bound is a kind bound, not a figure.
    const time = (fn: () => unknown): number => {
      const started = performance.now();
      for (let i = 0; i < 20_000; i++) fn();
      return performance.now() - started;
    };
    time(() => scrubber.value(record)); // warm-up
    const serialized = time(() => JSON.stringify(plain));
    const scrubbed = time(() => scrubber.value(record));
    console.log(
      `scrubbing 20k error records: ${scrubbed.toFixed(0)} ms, JSON.stringify of them ${serialized.toFixed(0)} ms`,
    );
    expect(scrubbed).toBeLessThan(50 * serialized);
  });
});

describe('SecretScrubber.line (the last pass over a JSON log line)', () => {
  it('scrubs inside string literals only and keeps the line valid JSON', () => {
    const numeric = new SecretScrubber(['17000000', TOKEN]);
    const line = `${JSON.stringify({
      time: 1700000000017000000,
      msg: `hang-up failed: Basic ${BASIC} and ${TOKEN}`,
      url: 'wss://h/ws?key=abc&x=1',
      n: 17000000,
    })}\n`;
    const out = numeric.line(line);
    expect(out.endsWith('\n')).toBe(true);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    expect(parsed.msg).toBe(
      `hang-up failed: Basic ${REDACTED} and ${REDACTED}`,
    );
    expect(parsed.url).toBe(`wss://h/ws?key=${REDACTED}&x=1`);
    expect(parsed.n).toBe(17000000);
    const quiet = '{"level":30,"msg":"Call started"}\n';
    expect(numeric.line(quiet)).toBe(quiet);
  });
});

describe('the process-wide scrubber', () => {
  it('learns secrets and never forgets them', () => {
    useSecrets(['first-secret-value']);
    useSecrets(['second-secret-value']);
    expect(scrubText('first-secret-value second-secret-value')).toBe(
      `${REDACTED} ${REDACTED}`,
    );
  });
});
