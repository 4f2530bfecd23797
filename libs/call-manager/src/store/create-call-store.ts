import { resolve } from 'node:path';
import type { ManagedBackend } from '../backend.types';
import type { CallStore } from './call-store.interface';
import { ManagedInMemoryCallStore } from './managed-in-memory-call-store.driver';
import {
  ResilientCallStore,
  type ResilientCallStoreOptions,
  type StoreLogger,
} from './resilient-call-store';
import {
  SqlCallStore,
  type PostgresCallStoreOptions,
  type SqlCallStoreOptions,
} from './sql-call-store.driver';

export interface CreateCallStoreOptions {
  /** Told about outages, recoveries, dropped writes and applied migrations. */
  logger?: StoreLogger;
  /** Tuning for the write queue in front of a SQL store. */
  resilience?: Omit<ResilientCallStoreOptions, 'logger' | 'backend'>;
  /**
   * PostgreSQL pool size and timeouts (ms; see PostgresCallStoreOptions for defaults: connect
   * 5000, statement 10,000, query answer statement + 2000, idle in transaction 60,000). Ignored
   * for SQLite and memory.
   */
  postgres?: Pick<
    PostgresCallStoreOptions,
    | 'poolSize'
    | 'connectionTimeoutMs'
    | 'statementTimeoutMs'
    | 'queryTimeoutMs'
    | 'idleInTransactionTimeoutMs'
  >;
}

const URL_HELP =
  'use sqlite:<path> (e.g. sqlite:data/calls.db), sqlite::memory:, or postgres://user:password@host:5432/database';

/**
 * The call store for a database URL, migrated and ready:
 * - undefined: in memory (lost on restart);
 * - `sqlite:<path>` (relative to the working directory; `sqlite::memory:` for tests): SQLite;
 * - `postgres://…` or `postgresql://…`: PostgreSQL.
 * SQL stores come wrapped in a ResilientCallStore, so writes survive a database outage.
 * Rejects on a bad URL, or when the database cannot be reached or migrated at start.
 */
export async function createCallStore(
  databaseUrl: string | undefined,
  options: CreateCallStoreOptions = {},
): Promise<CallStore & ManagedBackend> {
  if (databaseUrl === undefined) return new ManagedInMemoryCallStore();

  const target = parseDatabaseUrl(databaseUrl);
  const store = new SqlCallStore({
    ...target,
    ...(target.dialect === 'postgres' ? options.postgres : undefined),
    logger: options.logger,
  });
  try {
    const applied = await store.migrate();
    if (applied.length > 0) {
      const entry = {
        msg: 'Call store migrated',
        backend: store.backend,
        migrations: applied,
      };
      if (options.logger?.log) options.logger.log(entry);
      else options.logger?.warn(entry);
    }
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return new ResilientCallStore(store, {
    ...options.resilience,
    backend: store.backend,
    logger: options.logger,
  });
}

/** SqlCallStore options for a database URL; throws a clear Error (never echoing secrets) if bad. */
export function parseDatabaseUrl(databaseUrl: string): SqlCallStoreOptions {
  const url = databaseUrl.trim();
  const sqlite = /^sqlite:(.*)$/i.exec(url);
  if (sqlite) {
    // sqlite:data/calls.db, sqlite:/abs/calls.db, sqlite:///abs/calls.db, sqlite::memory:
    const path = sqlite[1].startsWith('//') ? sqlite[1].slice(2) : sqlite[1];
    if (path === '') {
      throw new Error(`Invalid SQLite database URL: no file path; ${URL_HELP}`);
    }
    return {
      dialect: 'sqlite',
      filename: path === ':memory:' ? path : resolve(process.cwd(), path),
    };
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new Error(
        'Invalid PostgreSQL database URL: it cannot be parsed (percent-encode special characters in the user name and password)',
      );
    }
    return { dialect: 'postgres', connectionString: url };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new Error(
    `Unsupported database URL${scheme ? ` (scheme "${scheme}:")` : url ? ' (no scheme)' : ' (empty)'}; ${URL_HELP}`,
  );
}
