import type { Kysely, Migration } from 'kysely';

/**
 * `calls.transcript_lines_lost`: transcript lines accepted for a call but never stored (dropped
 * by a full write queue during an outage). Existing rows start at 0. Same DDL in both dialects.
 */
export function transcriptLinesLostMigration(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('calls')
        .addColumn('transcript_lines_lost', 'integer', (col) =>
          col.notNull().defaultTo(0),
        )
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('calls')
        .dropColumn('transcript_lines_lost')
        .execute();
    },
  };
}
