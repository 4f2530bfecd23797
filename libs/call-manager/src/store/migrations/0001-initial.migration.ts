import type { Kysely, Migration } from 'kysely';
import type { SqlDialectName } from '../call-store.schema';

/**
 * Calls and their transcripts. One schema for both dialects; only the transcript key differs
 * (SQLite's rowid alias vs a PostgreSQL identity sequence).
 */
export function initialMigration(dialect: SqlDialectName): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('calls')
        .addColumn('call_sid', 'text', (col) => col.primaryKey())
        .addColumn('from_number', 'text', (col) => col.notNull())
        .addColumn('to_number', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('started_at', 'text', (col) => col.notNull())
        .addColumn('answered_at', 'text')
        .addColumn('ended_at', 'text')
        .addColumn('duration_seconds', 'double precision')
        .addColumn('end_reason', 'text')
        .addColumn('twilio_status', 'text')
        .addColumn('transcript_count', 'integer', (col) =>
          col.notNull().defaultTo(0),
        )
        .execute();

      // Paging: newest first, with a `before` cursor on started_at.
      await db.schema
        .createIndex('calls_started_at_idx')
        .on('calls')
        .columns(['started_at', 'call_sid'])
        .execute();

      await db.schema
        .createTable('transcript_entries')
        .addColumn(
          'id',
          dialect === 'sqlite' ? 'integer' : 'bigserial',
          (col) =>
            dialect === 'sqlite'
              ? col.primaryKey().autoIncrement()
              : col.primaryKey(),
        )
        .addColumn('call_sid', 'text', (col) =>
          col.notNull().references('calls.call_sid').onDelete('cascade'),
        )
        .addColumn('seq', 'integer', (col) => col.notNull())
        .addColumn('role', 'text', (col) => col.notNull())
        .addColumn('text', 'text', (col) => col.notNull())
        .addColumn('at', 'text', (col) => col.notNull())
        .execute();

      await db.schema
        .createIndex('transcript_entries_call_sid_seq_idx')
        .on('transcript_entries')
        .columns(['call_sid', 'seq'])
        .unique()
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('transcript_entries').ifExists().execute();
      await db.schema.dropTable('calls').ifExists().execute();
    },
  };
}
