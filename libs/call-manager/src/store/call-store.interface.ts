import type { CallRecord, CallStatus, TranscriptEntry } from '../call.types';

/**
 * A position in the list order (startedAt descending, then callSid descending): a page starts
 * with the first call after it. `startedAt` is ISO-8601 in `toISOString()` form.
 */
export interface CallListCursor {
  startedAt: string;
  callSid: string;
}

export interface CallListQuery {
  /** A status, or 'live' (ringing, in-progress) or 'ended' (completed, failed). Default: all. */
  status?: CallStatus | 'live' | 'ended';
  /** At most this many records (default 50, capped at 1000). */
  limit?: number;
  /**
   * Only calls after this position in the list order: the last call of the previous page. Calls
   * sharing a startedAt are told apart by callSid, so none is skipped or repeated across pages.
   */
  after?: CallListCursor;
  /**
   * Legacy: only calls that started strictly before this ISO timestamp (ignored when not a date).
   * Skips the rest of a page boundary's timestamp; use `after`. Both given: both apply.
   */
  before?: string;
}

/**
 * Call records and their transcripts. In-memory by default; SQLite or PostgreSQL later.
 * Every backend must pass `callStoreContract` (call-store.contract.ts).
 *
 * Values handed in and out are copies: mutating them never changes the store.
 */
export interface CallStore {
  /** Stores a new record. Resolves false (changing nothing) if one with that CallSid exists. */
  create(record: CallRecord): Promise<boolean>;
  /** Appends entries, in order, to a call's transcript. Resolves false if the call is unknown. */
  appendTranscript(
    callSid: string,
    entries: TranscriptEntry[],
  ): Promise<boolean>;
  /**
   * Merges `patch` into a record. `callSid`, `transcript` (use appendTranscript),
   * `transcriptLinesLost` (use recordTranscriptLoss) and undefined values are ignored. Resolves
   * false if the call is unknown.
   */
  update(callSid: string, patch: Partial<CallRecord>): Promise<boolean>;
  /**
   * Adds `lines` to the call's `transcriptLinesLost`: transcript lines accepted but never stored.
   * `lines` below 1 change nothing (fractions are floored). Resolves false if the call is unknown.
   */
  recordTranscriptLoss(callSid: string, lines: number): Promise<boolean>;
  get(callSid: string): Promise<CallRecord | undefined>;
  /** Matching records, newest first: startedAt descending, then callSid descending. */
  list(query: CallListQuery): Promise<CallRecord[]>;
}
