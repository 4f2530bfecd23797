/** Node socket errors: the database cannot be reached (yet). */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** PostgreSQL SQLSTATEs worth retrying (class 08, connection exception, is matched by prefix). */
const POSTGRES_CODES: ReadonlySet<string> = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout: the server is overloaded or a lock is held)
  '25P03', // idle_in_transaction_session_timeout (the session was ended)
]);

/** better-sqlite3 codes worth retrying (extended codes, e.g. SQLITE_IOERR_WRITE, by prefix). */
const SQLITE_PREFIXES = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_CANTOPEN',
  'SQLITE_PROTOCOL',
];

/** Messages the pg driver uses for a lost or impossible connection (no code attached). */
const NETWORK_MESSAGE =
  /connection terminated|timeout exceeded when trying to connect|connection timeout|server closed the connection|connection refused/i;

/**
 * Whether a store error means "the backend is unreachable or busy right now" (retry later) rather
 * than "this write is wrong" (retrying cannot help). Looks through AggregateError and `cause`.
 */
export function isTransientStoreError(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const { code, message, errors, cause } = err as {
    code?: unknown;
    message?: unknown;
    errors?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || POSTGRES_CODES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    if (SQLITE_PREFIXES.some((prefix) => code.startsWith(prefix))) return true;
  }
  if (typeof message === 'string' && NETWORK_MESSAGE.test(message)) {
    return true;
  }
  if (
    Array.isArray(errors) &&
    errors.some((inner) => isTransientStoreError(inner, depth + 1))
  ) {
    return true;
  }
  return cause !== undefined && isTransientStoreError(cause, depth + 1);
}

/** An error's message, for logs and health details (never the whole object). */
export function storeErrorMessage(err: unknown): string {
  // Duck-typed: errors from Node internals may come from another realm (e.g. under Jest).
  if (typeof err !== 'object' || err === null) return String(err);
  const { code, message, errors, name } = err as {
    code?: unknown;
    message?: unknown;
    errors?: unknown;
    name?: unknown;
  };
  let text = typeof message === 'string' ? message : '';
  if (!text && Array.isArray(errors) && errors.length > 0) {
    text = storeErrorMessage(errors[0]);
  }
  if (!text) text = typeof name === 'string' ? name : 'unknown error';
  return typeof code === 'string' && !text.includes(code)
    ? `${code}: ${text}`
    : text;
}
