import {
  isTransientStoreError,
  storeErrorMessage,
} from './transient-store-error.util';

const coded = (code: string, message = 'x') =>
  Object.assign(new Error(message), { code });

describe('isTransientStoreError', () => {
  it.each([
    ['a refused connection', coded('ECONNREFUSED')],
    ['a reset connection', coded('ECONNRESET')],
    ['an unknown host', coded('ENOTFOUND')],
    ['PostgreSQL connection exception (class 08)', coded('08006')],
    ['PostgreSQL shutting down', coded('57P01')],
    ['PostgreSQL starting up', coded('57P03')],
    ['too many connections', coded('53300')],
    ['a deadlock', coded('40P01')],
    ['PostgreSQL statement_timeout', coded('57014')],
    ['PostgreSQL idle_in_transaction_session_timeout', coded('25P03')],
    ['a busy SQLite file', coded('SQLITE_BUSY')],
    ['a SQLite I/O error', coded('SQLITE_IOERR_WRITE')],
    ['a full disk', coded('SQLITE_FULL')],
    [
      'pg: connection terminated',
      new Error('Connection terminated unexpectedly'),
    ],
    [
      'pg: connect timeout',
      new Error('timeout exceeded when trying to connect'),
    ],
    [
      'Node 20: every address refused',
      new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], ''),
    ],
    ['a wrapped cause', new Error('wrapped', { cause: coded('ETIMEDOUT') })],
  ])('retries %s', (_, err) => {
    expect(isTransientStoreError(err)).toBe(true);
  });

  it.each([
    ['a unique violation', coded('23505')],
    ['a syntax error', coded('42601')],
    ['a missing table', coded('42P01')],
    ['a SQLite constraint', coded('SQLITE_CONSTRAINT_PRIMARYKEY')],
    [
      'a closed pool',
      new Error('Cannot use a pool after calling end on the pool'),
    ],
    ['a plain error', new Error('boom')],
    ['a string', 'ECONNREFUSED'],
    ['undefined', undefined],
  ])('does not retry %s', (_, err) => {
    expect(isTransientStoreError(err)).toBe(false);
  });
});

describe('storeErrorMessage', () => {
  it('prefixes a code the message lacks', () => {
    expect(storeErrorMessage(coded('57P01', 'terminating connection'))).toBe(
      '57P01: terminating connection',
    );
    expect(
      storeErrorMessage(coded('ECONNREFUSED', 'connect ECONNREFUSED x')),
    ).toBe('connect ECONNREFUSED x');
  });

  it('reads an empty AggregateError through its first error', () => {
    expect(
      storeErrorMessage(
        new AggregateError(
          [coded('ECONNREFUSED', 'connect ECONNREFUSED ::1:1')],
          '',
        ),
      ),
    ).toBe('connect ECONNREFUSED ::1:1');
  });
});
