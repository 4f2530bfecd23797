import type { Kysely, Migration } from 'kysely';

/**
 * `calls.gemini_usage`: the call's Gemini token usage (CallRecord.usage) as JSON text, written when
 * the call ends; NULL for calls with no usage reported (and every row from before this migration).
 * Same DDL in both dialects. Runs after `0003-call-direction`: the migrator runs migrations in the
 * order of their names.
 */
export function callUsageMigration(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('calls')
        .addColumn('gemini_usage', 'text')
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('calls').dropColumn('gemini_usage').execute();
    },
  };
}
