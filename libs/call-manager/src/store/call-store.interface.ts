import type { CallRecord, CallStatus, TranscriptEntry } from '../call.types';

export interface CallListQuery {
  /** A status, or 'live' (ringing, in-progress) or 'ended' (completed, failed). Default: all. */
  status?: CallStatus | 'live' | 'ended';
  /** At most this many records (default 50, capped at 1000). */
  limit?: number;
  /** Only calls that started strictly before this ISO timestamp: a cursor for the next page. */
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
   * Merges `patch` into a record. `callSid`, `transcript` (use appendTranscript) and undefined
   * values are ignored. Resolves false if the call is unknown.
   */
  update(callSid: string, patch: Partial<CallRecord>): Promise<boolean>;
  get(callSid: string): Promise<CallRecord | undefined>;
  /** Matching records, newest (by startedAt) first. */
  list(query: CallListQuery): Promise<CallRecord[]>;
}
