/**
 * Redis failures in an operator's words. ioredis reports a refused connection as a socket error
 * (`connect ECONNREFUSED 127.0.0.1:6379`) on the client's 'error' event, but every command that fails
 * meanwhile rejects with its own internals ("Reached the max retries per request limit (which is 0).
 * Refer to "maxRetriesPerRequest" option for details."); both become "Redis at 127.0.0.1:6379
 * unreachable (ECONNREFUSED)".
 */

/** Socket error codes that mean the server cannot be reached (or the connection to it broke). */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
]);

interface SocketErrorFields {
  name?: unknown;
  code?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  message?: unknown;
}

/** `host:port` of a redis:// or rediss:// URL (credentials left out); undefined if it does not parse. */
export function redisEndpoint(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (!parsed.hostname) return undefined;
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return undefined;
  }
}

/** The server a socket error names (`address:port`, or the host name that did not resolve). */
function errorEndpoint(fields: SocketErrorFields): string | undefined {
  if (typeof fields.address === 'string')
    return typeof fields.port === 'number'
      ? `${fields.address}:${fields.port}`
      : fields.address;
  return typeof fields.hostname === 'string' ? fields.hostname : undefined;
}

/** The socket error code of a connection error (`ECONNREFUSED`, …), if `err` is one. */
export function redisConnectionCode(err: unknown): string | undefined {
  const code = (err as SocketErrorFields | undefined)?.code;
  return typeof code === 'string' && UNREACHABLE_CODES.has(code)
    ? code
    : undefined;
}

/**
 * `err` (from an ioredis client or command) as one sentence naming the server: `endpoint` is the
 * configured `host:port`, `lastCode` the code of the latest connection error seen (for command errors,
 * which carry none).
 */
export function describeRedisError(
  err: unknown,
  endpoint?: string,
  lastCode?: string,
): string {
  const fields: SocketErrorFields =
    typeof err === 'object' && err !== null ? err : {};
  const message =
    typeof fields.message === 'string' ? fields.message : String(err);
  const at = (where = endpoint) => (where ? `Redis at ${where}` : 'Redis');
  const code = redisConnectionCode(err);
  if (code)
    return `${at(errorEndpoint(fields) ?? endpoint)} unreachable (${code})`;
  if (
    fields.name === 'MaxRetriesPerRequestError' ||
    message.startsWith('Reached the max retries per request limit') ||
    message.startsWith("Stream isn't writeable")
  )
    return `${at()} unreachable (${lastCode ?? 'not connected'})`;
  if (message === 'Connection is closed.')
    return `${at()} unreachable (${lastCode ?? 'connection closed'})`;
  if (message === 'Command timed out')
    return `${at()} did not answer in time (command timeout)`;
  const reply = /^(NOAUTH|WRONGPASS|NOPERM|READONLY|LOADING|OOM)\b/.exec(
    message,
  )?.[1];
  if (reply === 'NOAUTH' || reply === 'WRONGPASS' || reply === 'NOPERM')
    return `${at()} refused the credentials in REDIS_URL (${reply})`;
  if (reply === 'READONLY')
    return `${at()} is a read-only replica (READONLY): point REDIS_URL at the primary`;
  if (reply === 'LOADING') return `${at()} is still loading its data (LOADING)`;
  if (reply === 'OOM') return `${at()} is out of memory (OOM)`;
  return `${at()}: ${message}`;
}
