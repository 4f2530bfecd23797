import type { Generated } from 'kysely';

/** The SQL dialects SqlCallStore speaks. */
export type SqlDialectName = 'sqlite' | 'postgres';

/**
 * A call row. Times are ISO-8601 UTC text (`Date.prototype.toISOString()`), which sorts the same
 * as the instants it names, in both dialects.
 */
export interface CallsTable {
  call_sid: string;
  from_number: string;
  to_number: string;
  status: string;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  duration_seconds: number | null;
  end_reason: string | null;
  twilio_status: string | null;
  /** `inbound` or `outbound` (migration 0003; rows from before it were all inbound). */
  direction: string | null;
  /** Outbound: answering-machine detection's verdict (CallRecord.answeredBy). */
  answered_by: string | null;
  /** CallRecord.usage as JSON text (migration 0004); NULL when no usage was reported. */
  gemini_usage: string | null;
  /** CallRecord.transfers as JSON text (migration 0005); NULL when the agent transferred nothing. */
  transfers: string | null;
  /** CallRecord.turnLatencies as JSON text (migration 0006); NULL when no turn was answered. */
  turn_latencies: string | null;
  /** Transcript entries written so far: the next entry's seq. Bumped under the row lock. */
  transcript_count: Generated<number>;
  /** Transcript lines accepted but never stored (CallRecord.transcriptLinesLost); 0 when none. */
  transcript_lines_lost: Generated<number>;
}

/** One transcript line; `seq` orders a call's lines (0, 1, 2, …). */
export interface TranscriptEntriesTable {
  id: Generated<number>;
  call_sid: string;
  seq: number;
  role: string;
  text: string;
  at: string;
}

/** The tables SqlCallStore owns (plus Kysely's migration bookkeeping). */
export interface CallStoreDatabase {
  calls: CallsTable;
  transcript_entries: TranscriptEntriesTable;
}

/** Kysely Migrator bookkeeping tables (named so they never clash with another app's). */
export const MIGRATION_TABLE = 'call_store_migration';
export const MIGRATION_LOCK_TABLE = 'call_store_migration_lock';
