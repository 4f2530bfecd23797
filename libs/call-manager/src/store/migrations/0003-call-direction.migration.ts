import type { Kysely, Migration } from 'kysely';

/**
 * `calls.direction` (`inbound` | `outbound`, `POST /calls` dials out) and `calls.answered_by` (an
 * outbound call's answering-machine verdict, Twilio's `AnsweredBy`). Every row written before this
 * migration is an inbound call, so existing rows get `inbound`; new rows carry what the call manager
 * writes. Both nullable text, same DDL in both dialects.
 */
export function callDirectionMigration(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('calls')
        .addColumn('direction', 'text')
        .execute();
      await db.schema
        .alterTable('calls')
        .addColumn('answered_by', 'text')
        .execute();
      await db.updateTable('calls').set({ direction: 'inbound' }).execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('calls').dropColumn('answered_by').execute();
      await db.schema.alterTable('calls').dropColumn('direction').execute();
    },
  };
}
