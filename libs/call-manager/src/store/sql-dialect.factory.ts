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
  /** How long to wait for a new connection before failing (default 5000). */
  connectionTimeoutMs?: number;
}

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
  const pool = new Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
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
  const schema = options.schema;
  return new PostgresDialect({
    pool,
    onCreateConnection: schema
      ? async (connection) => {
          await connection.executeQuery(
            CompiledQuery.raw(`set search_path to ${quoteIdentifier(schema)}`),
          );
        }
      : undefined,
  });
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
