import {
  Kysely,
  Migrator,
  sql,
  type MigrationResultSet,
  type Transaction,
} from 'kysely';
import type { BackendStatus, ManagedBackend } from '../backend.types';
import type { CallRecord, TranscriptEntry } from '../call.types';
import { clampListLimit, listStart, statusesFor } from './call-list-query.util';
import type { CallListQuery, CallStore } from './call-store.interface';
import {
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
  type CallStoreDatabase,
  type SqlDialectName,
} from './call-store.schema';
import {
  insertRow,
  patchColumns,
  toEntry,
  toRecord,
} from './sql-call-rows.util';
import { CallStoreMigrationProvider } from './migrations/call-store-migration.provider';
import {
  createSqlDialect,
  describeSqlTarget,
  type SqlCallStoreOptions,
} from './sql-dialect.factory';
import { storeErrorMessage } from './transient-store-error.util';

export type {
  PostgresCallStoreOptions,
  SqlCallStoreOptions,
  SqliteCallStoreOptions,
} from './sql-dialect.factory';

/** Rows per INSERT statement: well inside both dialects' bound-parameter limits. */
const INSERT_CHUNK_ROWS = 500;

/**
 * Call records in SQLite (better-sqlite3, WAL) or PostgreSQL (pg Pool), from one Kysely code path.
 * Run `migrate()` before use (`createCallStore` does). Times are stored as the ISO-8601 text they
 * arrive in, so they must be `toISOString()` form (UTC, milliseconds) for paging to sort right.
 */
export class SqlCallStore implements CallStore, ManagedBackend {
  readonly backend: SqlDialectName;
  private readonly db: Kysely<CallStoreDatabase>;
  private readonly where: string;
  private closing?: Promise<void>;

  constructor(options: SqlCallStoreOptions) {
    this.backend = options.dialect;
    this.where = describeSqlTarget(options);
    this.db = new Kysely({ dialect: createSqlDialect(options) });
  }

  /** Applies pending migrations; resolves with the names applied (none when up to date). */
  async migrate(): Promise<string[]> {
    let outcome: MigrationResultSet;
    try {
      const migrator = new Migrator({
        db: this.db,
        provider: new CallStoreMigrationProvider(this.backend),
        migrationTableName: MIGRATION_TABLE,
        migrationLockTableName: MIGRATION_LOCK_TABLE,
        // PostgreSQL: name the schema, or Kysely finds a same-named table in any other schema.
        migrationTableSchema:
          this.backend === 'postgres' ? await this.currentSchema() : undefined,
      });
      outcome = await migrator.migrateToLatest();
    } catch (error) {
      outcome = { error };
    }
    const { error, results = [] } = outcome;
    const failed = results.find((result) => result.status === 'Error');
    if (error !== undefined || failed) {
      const name = failed ? ` ${failed.migrationName}` : '';
      throw new Error(
        `Call store migration${name} failed (${this.backend}, ${this.where}): ${storeErrorMessage(error)}`,
        { cause: error },
      );
    }
    return results
      .filter((result) => result.status === 'Success')
      .map((result) => result.migrationName);
  }

  async create(record: CallRecord): Promise<boolean> {
    const row = insertRow(record);
    const insert = (db: Kysely<CallStoreDatabase>) =>
      db
        .insertInto('calls')
        .values(row)
        .onConflict((oc) => oc.column('call_sid').doNothing())
        .executeTakeFirst()
        .then((result) => (result.numInsertedOrUpdatedRows ?? 0n) > 0n);

    if (record.transcript.length === 0) return insert(this.db);
    return this.db.transaction().execute(async (trx) => {
      if (!(await insert(trx))) return false;
      await insertEntries(trx, record.callSid, 0, record.transcript);
      return true;
    });
  }

  async appendTranscript(
    callSid: string,
    entries: TranscriptEntry[],
  ): Promise<boolean> {
    if (entries.length === 0) return this.exists(callSid);
    return this.db.transaction().execute(async (trx) => {
      // Checks the call exists, locks its row and reserves seqs, in one statement.
      const row = await trx
        .updateTable('calls')
        .set((eb) => ({
          transcript_count: eb('transcript_count', '+', entries.length),
        }))
        .where('call_sid', '=', callSid)
        .returning('transcript_count')
        .executeTakeFirst();
      if (!row) return false;
      await insertEntries(
        trx,
        callSid,
        Number(row.transcript_count) - entries.length,
        entries,
      );
      return true;
    });
  }

  async update(callSid: string, patch: Partial<CallRecord>): Promise<boolean> {
    const set = patchColumns(patch);
    if (Object.keys(set).length === 0) return this.exists(callSid);
    const result = await this.db
      .updateTable('calls')
      .set(set)
      .where('call_sid', '=', callSid)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async recordTranscriptLoss(callSid: string, lines: number): Promise<boolean> {
    const added = Math.floor(lines);
    if (!(added >= 1)) return this.exists(callSid);
    const result = await this.db
      .updateTable('calls')
      .set((eb) => ({
        transcript_lines_lost: eb('transcript_lines_lost', '+', added),
      }))
      .where('call_sid', '=', callSid)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async get(callSid: string): Promise<CallRecord | undefined> {
    const [row, lines] = await Promise.all([
      this.db
        .selectFrom('calls')
        .selectAll()
        .where('call_sid', '=', callSid)
        .executeTakeFirst(),
      this.db
        .selectFrom('transcript_entries')
        .select(['role', 'text', 'at'])
        .where('call_sid', '=', callSid)
        .orderBy('seq')
        .execute(),
    ]);
    return row && toRecord(row, lines.map(toEntry));
  }

  /**
   * Keyset paging: `(started_at, call_sid) < (cursor)` in the order of calls_started_at_idx.
   * Rejects with a RangeError when `query.after.startedAt` is not a time.
   */
  async list(query: CallListQuery): Promise<CallRecord[]> {
    const limit = clampListLimit(query.limit);
    const start = listStart(query);
    if (limit === 0) return [];
    const statuses = statusesFor(query.status);

    const rows = await this.db
      .selectFrom('calls')
      .selectAll()
      .$if(statuses !== undefined, (qb) => qb.where('status', 'in', statuses!))
      .$if(start !== undefined, (qb) =>
        qb.where((eb) =>
          eb(
            eb.refTuple('started_at', 'call_sid'),
            '<',
            eb.tuple(start!.startedAt, start!.callSid),
          ),
        ),
      )
      .orderBy('started_at', 'desc')
      .orderBy('call_sid', 'desc')
      .limit(limit)
      .execute();
    if (rows.length === 0) return [];

    // The page's transcripts in one query, not one per call.
    const lines = await this.db
      .selectFrom('transcript_entries')
      .select(['call_sid', 'role', 'text', 'at'])
      .where(
        'call_sid',
        'in',
        rows.map((row) => row.call_sid),
      )
      .orderBy('call_sid')
      .orderBy('seq')
      .execute();
    const transcripts = new Map<string, TranscriptEntry[]>();
    for (const line of lines) {
      const transcript = transcripts.get(line.call_sid);
      if (transcript) transcript.push(toEntry(line));
      else transcripts.set(line.call_sid, [toEntry(line)]);
    }
    return rows.map((row) =>
      toRecord(row, transcripts.get(row.call_sid) ?? []),
    );
  }

  async health(): Promise<BackendStatus> {
    try {
      await sql`select 1`.execute(this.db);
      return { backend: this.backend, ok: true, detail: this.where };
    } catch (err) {
      return {
        backend: this.backend,
        ok: false,
        detail: `${this.where}: ${storeErrorMessage(err)}`,
      };
    }
  }

  /** Closes the SQLite file or ends the pool. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.db.destroy();
    return this.closing;
  }

  private async exists(callSid: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('calls')
      .select('call_sid')
      .where('call_sid', '=', callSid)
      .executeTakeFirst();
    return row !== undefined;
  }

  private async currentSchema(): Promise<string> {
    const { rows } = await sql<{
      schema: string | null;
    }>`select current_schema() as schema`.execute(this.db);
    const schema = rows[0]?.schema;
    if (!schema) {
      throw new Error(
        `Call store (${this.where}): the search_path names no existing schema`,
      );
    }
    return schema;
  }
}

/** Multi-row INSERTs (one per 500 entries), seq counting on from `firstSeq`. */
async function insertEntries(
  trx: Transaction<CallStoreDatabase>,
  callSid: string,
  firstSeq: number,
  entries: TranscriptEntry[],
): Promise<void> {
  for (let start = 0; start < entries.length; start += INSERT_CHUNK_ROWS) {
    const rows = entries
      .slice(start, start + INSERT_CHUNK_ROWS)
      .map((entry, i) => ({
        call_sid: callSid,
        seq: firstSeq + start + i,
        role: entry.role,
        text: entry.text,
        at: entry.at,
      }));
    await trx.insertInto('transcript_entries').values(rows).execute();
  }
}
