/**
 * What counts as a credential in log data: key names (any depth) and text patterns (inside any
 * string). Pure functions over strings; SecretScrubber (secret-scrubber.ts) applies them.
 */

/** What a stripped credential is replaced with. */
export const REDACTED = '[redacted]';

/** Keys whose value is always a credential (compared lower-case, without `-`, `_` and spaces). */
const SECRET_KEYS = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'xtwiliosignature',
  'xgoogapikey',
  'xapikey',
  'apikey',
  'key',
  'auth',
  'password',
  'passwd',
  'pwd',
  'secret',
  'token',
  'credential',
  'credentials',
]);
/** Key endings that name a credential: `accessToken`, `client_secret`, `dbPassword`, `privateKey`, … */
const SECRET_KEY_ENDINGS = [
  'token',
  'secret',
  'password',
  'passwd',
  'apikey',
  'privatekey',
  'accesskey',
  'secretkey',
  'signingkey',
  'signature',
  'credentials',
];

/**
 * True when a field of this name holds a credential: HTTP credential headers (`authorization`,
 * `proxy-authorization`, `cookie`, `x-twilio-signature`, `x-goog-api-key`, `api-key`), axios' `auth`,
 * and names like token/password/secret/apiKey/key (`accessToken`, `refresh_token`, `CALL_SUMMARY_
 * WEBHOOK_SECRET`). Not `tokenCount` or `cacheKey`: only whole names and those endings match.
 */
export function isSecretKey(key: string): boolean {
  const name = key.toLowerCase().replace(/[-_\s]/g, '');
  return (
    SECRET_KEYS.has(name) ||
    SECRET_KEY_ENDINGS.some((ending) => name.endsWith(ending))
  );
}

/** Query/form parameter names whose value is a credential (`?key=`, `&access_token=`, `client_secret=`). */
const PARAM_NAME =
  '(?:key|sig|auth|[\\w.-]*(?:token|secret|password|passwd|api[_-]?key|signature|credentials?))';

/**
 * Text rules that are safe inside a JSON string literal too (they never consume a quote or a
 * backslash), each with its replacement.
 */
export const TEXT_RULES: ReadonlyArray<[RegExp, string]> = [
  // scheme://user:password@host (also redis://:password@host)
  [
    /\b([a-z][a-z0-9+.-]{0,30}:\/\/[^\s:/?#@"'\\<>]*):([^\s/?#@"'\\<>]+)@/gi,
    `$1:${REDACTED}@`,
  ],
  // ?key=…, &access_token=…, form bodies: refresh_token=…&client_secret=…
  [
    new RegExp(`(^|[?&;\\s"',(])(${PARAM_NAME})=([^&\\s"'\\\\#;,<>)]+)`, 'gi'),
    `$1$2=${REDACTED}`,
  ],
  // Authorization header values in text: `Basic <base64>`, `Bearer <token>`
  [/\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{6,}/g, `$1 ${REDACTED}`],
];

/**
 * `Authorization: xyz`, `x-goog-api-key=xyz`, `"cookie": "a=b"` in free text (an error message
 * quoting request headers). Only for strings inside values: on a whole JSON log line it could eat
 * structure.
 */
export const HEADER_TEXT_RULE: [RegExp, string] = [
  /\b(authorization|proxy-authorization|cookie|set-cookie|x-twilio-signature|x-goog-api-key|x-api-key|api-key)(["']?\s*[:=]\s*["']?)(?!\[redacted\])[^"'\r\n]+/gi,
  `$1$2${REDACTED}`,
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The parts of base64(prefix + secret) that depend on the secret alone, for each of the three
 * alignments the secret can have in the encoded bytes. Any base64 text that encodes the secret
 * (`Basic base64(AC…:token)`, a JWT, a data URL) contains one of them, whatever surrounds it.
 */
export function base64Fingerprints(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const prints: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(
      'base64',
    );
    const total = offset + bytes.length;
    // First character fully determined by the secret's bits, for each alignment.
    const start = [0, 2, 3][offset];
    // Last one: whole 3-byte groups, then 1 or 2 characters of a trailing partial group.
    const end = Math.floor(total / 3) * 4 + [0, 1, 2][total % 3];
    const print = encoded.slice(start, end);
    if (print.length >= 8) {
      prints.push(print, print.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...new Set(prints)];
}

/** How configured secrets are found in text (see secretPatterns). */
export interface SecretPatterns {
  /** The secrets as written: as is, JSON-escaped, URL-encoded. */
  literal: RegExp;
  /** Base64 fingerprints of the secrets (see base64Fingerprints): expand each match to its base64 run. */
  base64?: RegExp;
}

/** Characters of a base64 or base64url run (a match is widened over these to redact the whole run). */
const BASE64_CHAR = /[A-Za-z0-9+/=_-]/;

/**
 * Patterns for the configured secrets, longest first so that a secret containing another is removed
 * whole. Undefined when there are no secrets.
 */
export function secretPatterns(
  secrets: readonly string[],
): SecretPatterns | undefined {
  const literal = new Set<string>();
  const inBase64 = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    literal.add(secret);
    literal.add(JSON.stringify(secret).slice(1, -1));
    literal.add(encodeURIComponent(secret));
    for (const print of base64Fingerprints(secret)) inBase64.add(print);
  }
  if (literal.size === 0) return undefined;
  const alternation = (values: Set<string>): RegExp =>
    new RegExp(
      [...values]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
  return {
    literal: alternation(literal),
    base64: inBase64.size > 0 ? alternation(inBase64) : undefined,
  };
}

/** Widens each fingerprint match to its whole base64 run and redacts the run. */
export function redactBase64Runs(text: string, fingerprints: RegExp): string {
  fingerprints.lastIndex = 0;
  let out = '';
  let copied = 0;
  for (let m = fingerprints.exec(text); m; m = fingerprints.exec(text)) {
    let start = m.index;
    let end = m.index + m[0].length;
    while (start > copied && BASE64_CHAR.test(text[start - 1])) start--;
    while (end < text.length && BASE64_CHAR.test(text[end])) end++;
    out += text.slice(copied, start) + REDACTED;
    copied = end;
    fingerprints.lastIndex = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** `pattern.test(text)` for a global pattern, leaving its lastIndex at 0. */
export function testOnce(pattern: RegExp | undefined, text: string): boolean {
  if (!pattern) return false;
  pattern.lastIndex = 0;
  const found = pattern.test(text);
  pattern.lastIndex = 0;
  return found;
}
