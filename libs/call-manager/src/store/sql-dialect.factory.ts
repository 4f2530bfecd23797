import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  PostgresDialect,
  SqliteDialect,
  type Dialect,
  type SqliteDatabase,
} from 'kysely';
import { Pool } from 'pg';
import { TimeoutGuardedPool } from './postgres-pool.adapter';
import { storeErrorMessage } from './transient-store-error.util';

interface CommonSqlOptions {
  /** Told about connection errors that happen outside any call (PostgreSQL idle clients). */
  logger?: { warn(obj: object): void };
}

export interface SqliteCallStoreOptions extends CommonSqlOptions {
  dialect: 'sqlite';
  /** A file path (its directory is created on first use) or ':memory:'. */
  filename: string;
  /** How long a write waits for another process's lock before SQLITE_BUSY (default 5000). */
  busyTimeoutMs?: number;
}

export interface PostgresCallStoreOptions extends CommonSqlOptions {
  dialect: 'postgres';
  /** `postgres://user:password@host:port/database?…` */
  connectionString: string;
  /** Schema for the tables (search_path of every connection); default: the server's search_path. */
  schema?: string;
  /** Pool size (default 10). */
  poolSize?: number;
  /**
   * How long getting a connection may take, in ms (default 5000): opening a new one (TCP and
   * startup) or waiting for a free one. Then it fails with 'timeout exceeded when trying to
   * connect' (pg's connectionTimeoutMillis), a transient error. 0: no limit.
   */
  connectionTimeoutMs?: number;
  /**
   * Longest a statement may run on the server, in ms (default 10,000): then PostgreSQL cancels it
   * (SQLSTATE 57014; pg's `statement_timeout`, sent as a startup parameter: behind PgBouncer, list
   * it in `ignore_startup_parameters`). 0: no limit.
   */
  statementTimeoutMs?: number;
  /**
   * How long the client waits for any answer to a query, in ms (default statementTimeoutMs + 2000,
   * so the server's cancel normally comes first; without a statement timeout, 12,000): then the
   * query fails with an ETIMEDOUT error and its connection is discarded (pg's `query_timeout`;
   * see TimeoutGuardedPool). This is what makes a database that stopped answering fail fast.
   * 0: no limit.
   */
  queryTimeoutMs?: number;
  /**
   * A session idle inside an open transaction this long, in ms (default 60,000), is ended by the
   * server, releasing its row locks (`idle_in_transaction_session_timeout`). 0: no limit.
   */
  idleInTransactionTimeoutMs?: number;
}

/** PostgresCallStoreOptions timeouts when not given (ms). */
export const POSTGRES_TIMEOUT_DEFAULTS = {
  connectionTimeoutMs: 5000,
  statementTimeoutMs: 10_000,
  /** Added to statementTimeoutMs for the default queryTimeoutMs. */
  queryTimeoutGraceMs: 2000,
  idleInTransactionTimeoutMs: 60_000,
} as const;

export type SqlCallStoreOptions =
  SqliteCallStoreOptions | PostgresCallStoreOptions;

/** better-sqlite3 statements kept prepared (Kysely would prepare every query afresh). */
const SQLITE_STATEMENT_CACHE = 200;

/** The Kysely dialect for SqlCallStore's options: SQLite (better-sqlite3) or PostgreSQL (pg Pool). */
export function createSqlDialect(options: SqlCallStoreOptions): Dialect {
  return options.dialect === 'sqlite'
    ? sqliteDialect(options)
    : postgresDialect(options);
}

/** Where the store's data lives, for health details and errors: never a password. */
export function describeSqlTarget(options: SqlCallStoreOptions): string {
  return options.dialect === 'sqlite'
    ? options.filename
    : describePostgres(options.connectionString, options.schema);
}

function sqliteDialect(options: SqliteCallStoreOptions): Dialect {
  return new SqliteDialect({
    // Opened on first use, so constructing the store never touches the disk.
    database: () => Promise.resolve(openSqlite(options)),
  });
}

function openSqlite({
  filename,
  busyTimeoutMs = 5000,
}: SqliteCallStoreOptions): SqliteDatabase {
  const inMemory = filename === ':memory:';
  if (!inMemory) mkdirSync(dirname(resolve(filename)), { recursive: true });
  const db = new Database(filename, { timeout: busyTimeoutMs });
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  if (!inMemory) db.pragma('journal_mode = WAL');
  // With WAL, NORMAL is durable against crashes of this process; a power cut may lose the last
  // commits but never corrupts the file.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');

  const statements = new Map<string, Database.Statement>();
  return {
    close: () => db.close(),
    prepare: (text: string) => {
      let statement = statements.get(text);
      if (!statement) {
        if (statements.size >= SQLITE_STATEMENT_CACHE) statements.clear();
        statement = db.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

function postgresDialect(options: PostgresCallStoreOptions): Dialect {
  const defaults = POSTGRES_TIMEOUT_DEFAULTS;
  const statementTimeoutMs = millis(
    options.statementTimeoutMs,
    defaults.statementTimeoutMs,
  );
  const queryTimeoutMs = millis(
    options.queryTimeoutMs,
    (statementTimeoutMs || defaults.statementTimeoutMs) +
      defaults.queryTimeoutGraceMs,
  );
  const pool = new Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: millis(
      options.connectionTimeoutMs,
      defaults.connectionTimeoutMs,
    ),
    // pg reads 0 (falsy) as "not set": no limit.
    statement_timeout: statementTimeoutMs,
    query_timeout: queryTimeoutMs,
    idle_in_transaction_session_timeout: millis(
      options.idleInTransactionTimeoutMs,
      defaults.idleInTransactionTimeoutMs,
    ),
    idleTimeoutMillis: 30_000,
    // Notice a silently dropped connection (no FIN) instead of waiting on it indefinitely.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // Without a listener, an idle client's error (server restart) would crash the process.
  pool.on('error', (err) =>
    options.logger?.warn({
      msg: 'PostgreSQL connection lost (the pool replaces it)',
      err: storeErrorMessage(err),
    }),
  );
  // pg-pool listens for errors only on idle clients: a checked-out client whose socket dies between
  // queries (or inside a transaction) emits 'error' with nobody listening, an uncaught exception
  // that would take every call down. The query in flight still gets its rejection; this only logs.
  pool.on('connect', (client) =>
    client.on('error', (err) =>
      options.logger?.warn({
        msg: 'PostgreSQL connection lost while in use',
        err: storeErrorMessage(err),
      }),
    ),
  );
  const schema = options.schema;
  return new PostgresDialect({
    pool: new TimeoutGuardedPool(pool, queryTimeoutMs),
    onCreateConnection: schema
      ? async (connection) => {
          await connection.executeQuery(
            CompiledQuery.raw(`set search_path to ${quoteIdentifier(schema)}`),
          );
        }
      : undefined,
  });
}

/** A timeout option in whole ms: `fallback` when unset, never negative. */
function millis(value: number | undefined, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.max(0, Math.floor(value));
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `host:port/database` (and schema): for health details, never the password. */
function describePostgres(connectionString: string, schema?: string): string {
  let where = 'postgres';
  try {
    const url = new URL(connectionString);
    where = `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    // Not a URL (a key=value string): say nothing more than the dialect.
  }
  return schema ? `${where} (schema ${schema})` : where;
}
