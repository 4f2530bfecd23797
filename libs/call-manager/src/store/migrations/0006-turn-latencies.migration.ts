import type { Kysely, Migration } from 'kysely';

/**
 * `calls.turn_latencies`: the call's per-turn latency (CallRecord.turnLatencies: `[{at, ms}]`) as JSON
 * text, written when the call ends; NULL for calls with no answered turn (and every row from before
 * this migration). Same DDL in both dialects. The migrator runs migrations in the order of their
 * names, so this one runs after `0005-…` wherever that lands.
 */
export function turnLatenciesMigration(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('calls')
        .addColumn('turn_latencies', 'text')
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('calls')
        .dropColumn('turn_latencies')
        .execute();
    },
  };
}
