import {
  ENDED_STATUSES,
  type CallRecord,
  type TranscriptEntry,
} from '../call.types';
import {
  clampListLimit,
  compareListOrder,
  listStart,
  statusesFor,
} from './call-list-query.util';
import type { CallListQuery, CallStore } from './call-store.interface';

export interface InMemoryCallStoreOptions {
  /** Ended calls kept; beyond this the earliest-ended are evicted. Live calls are never evicted. */
  maxEndedCalls?: number;
}

export const DEFAULT_MAX_ENDED_CALLS = 10_000;

/** Call records in this process: lost on restart, bounded in size. */
export class InMemoryCallStore implements CallStore {
  private readonly entries = new Map<string, CallRecord>();
  /** CallSids of ended calls, earliest-ended first. */
  private readonly ended = new Set<string>();
  private readonly maxEndedCalls: number;

  constructor(options: InMemoryCallStoreOptions = {}) {
    this.maxEndedCalls = Math.max(
      0,
      Math.floor(options.maxEndedCalls ?? DEFAULT_MAX_ENDED_CALLS),
    );
  }

  create(record: CallRecord): Promise<boolean> {
    if (this.entries.has(record.callSid)) return Promise.resolve(false);
    this.entries.set(record.callSid, structuredClone(record));
    this.trackEnded(record);
    return Promise.resolve(true);
  }

  appendTranscript(
    callSid: string,
    entries: TranscriptEntry[],
  ): Promise<boolean> {
    const record = this.entries.get(callSid);
    if (!record) return Promise.resolve(false);
    for (const item of entries) record.transcript.push({ ...item });
    return Promise.resolve(true);
  }

  update(callSid: string, patch: Partial<CallRecord>): Promise<boolean> {
    const record = this.entries.get(callSid);
    if (!record) return Promise.resolve(false);
    const fields = record as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(patch)) {
      if (IGNORED_IN_PATCH.has(key) || value === undefined) continue;
      fields[key] = structuredClone(value as unknown);
    }
    this.trackEnded(record);
    return Promise.resolve(true);
  }

  recordTranscriptLoss(callSid: string, lines: number): Promise<boolean> {
    const record = this.entries.get(callSid);
    if (!record) return Promise.resolve(false);
    const added = Math.floor(lines);
    if (added >= 1) {
      record.transcriptLinesLost = (record.transcriptLinesLost ?? 0) + added;
    }
    return Promise.resolve(true);
  }

  get(callSid: string): Promise<CallRecord | undefined> {
    const record = this.entries.get(callSid);
    return Promise.resolve(record && structuredClone(record));
  }

  /** Rejects with a RangeError when `query.after.startedAt` is not a time. */
  list(query: CallListQuery): Promise<CallRecord[]> {
    // A throw in the executor (listStart's RangeError) becomes the rejection.
    return new Promise((resolve) => resolve(this.select(query)));
  }

  private select(query: CallListQuery): CallRecord[] {
    const start = listStart(query);
    const limit = clampListLimit(query.limit);
    const statuses = statusesFor(query.status);
    const matches = [...this.entries.values()].filter(
      (record) =>
        (!statuses || statuses.includes(record.status)) &&
        (!start || compareListOrder(record, start) > 0),
    );
    matches.sort(compareListOrder);
    return matches.slice(0, limit).map((record) => structuredClone(record));
  }

  private trackEnded(record: CallRecord): void {
    if (!ENDED_STATUSES.has(record.status)) {
      this.ended.delete(record.callSid);
      return;
    }
    this.ended.add(record.callSid);
    while (this.ended.size > this.maxEndedCalls) {
      const oldest = this.ended.values().next().value as string;
      this.ended.delete(oldest);
      this.entries.delete(oldest);
    }
  }
}

/** Fields update() leaves alone (see CallStore.update). */
const IGNORED_IN_PATCH: ReadonlySet<string> = new Set([
  'callSid',
  'transcript',
  'transcriptLinesLost',
]);
