import type { Kysely, Migration } from 'kysely';

/**
 * `calls.transfers`: the agent's transfers to a person (CallRecord.transfers: target, number or SIP
 * URI, reason, state, Twilio's DialCallStatus) as JSON text; NULL for calls without one (and every
 * row from before this migration). Same DDL in both dialects; runs after `0004-call-usage`.
 */
export function callTransfersMigration(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('calls')
        .addColumn('transfers', 'text')
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('calls').dropColumn('transfers').execute();
    },
  };
}
