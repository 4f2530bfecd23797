import {
  DEFAULT_CALL_LIST_LIMIT,
  MAX_CALL_LIST_LIMIT,
} from '../call-manager.constants';
import {
  ENDED_STATUSES,
  type CallRecord,
  type TranscriptEntry,
} from '../call.types';
import type { CallListQuery, CallStore } from './call-store.interface';

export interface InMemoryCallStoreOptions {
  /** Ended calls kept; beyond this the earliest-ended are evicted. Live calls are never evicted. */
  maxEndedCalls?: number;
}

export const DEFAULT_MAX_ENDED_CALLS = 10_000;

interface Entry {
  record: CallRecord;
  /** Creation order, to break startedAt ties. */
  seq: number;
}

/** Call records in this process: lost on restart, bounded in size. */
export class InMemoryCallStore implements CallStore {
  private readonly entries = new Map<string, Entry>();
  /** CallSids of ended calls, earliest-ended first. */
  private readonly ended = new Set<string>();
  private readonly maxEndedCalls: number;
  private seq = 0;

  constructor(options: InMemoryCallStoreOptions = {}) {
    this.maxEndedCalls = Math.max(
      0,
      Math.floor(options.maxEndedCalls ?? DEFAULT_MAX_ENDED_CALLS),
    );
  }

  create(record: CallRecord): Promise<boolean> {
    if (this.entries.has(record.callSid)) return Promise.resolve(false);
    this.entries.set(record.callSid, {
      record: structuredClone(record),
      seq: this.seq++,
    });
    this.trackEnded(record);
    return Promise.resolve(true);
  }

  appendTranscript(
    callSid: string,
    entries: TranscriptEntry[],
  ): Promise<boolean> {
    const entry = this.entries.get(callSid);
    if (!entry) return Promise.resolve(false);
    for (const item of entries) entry.record.transcript.push({ ...item });
    return Promise.resolve(true);
  }

  update(callSid: string, patch: Partial<CallRecord>): Promise<boolean> {
    const entry = this.entries.get(callSid);
    if (!entry) return Promise.resolve(false);
    const record = entry.record as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(patch)) {
      if (key === 'callSid' || key === 'transcript' || value === undefined) {
        continue;
      }
      record[key] = value;
    }
    this.trackEnded(entry.record);
    return Promise.resolve(true);
  }

  get(callSid: string): Promise<CallRecord | undefined> {
    const entry = this.entries.get(callSid);
    return Promise.resolve(entry && structuredClone(entry.record));
  }

  list(query: CallListQuery): Promise<CallRecord[]> {
    const limit = clampLimit(query.limit);
    const before = query.before === undefined ? NaN : Date.parse(query.before);
    const matches = [...this.entries.values()].filter(({ record }) => {
      if (!matchesStatus(record, query.status)) return false;
      return Number.isNaN(before) || Date.parse(record.startedAt) < before;
    });
    matches.sort(
      (a, b) =>
        Date.parse(b.record.startedAt) - Date.parse(a.record.startedAt) ||
        b.seq - a.seq,
    );
    return Promise.resolve(
      matches.slice(0, limit).map(({ record }) => structuredClone(record)),
    );
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

function matchesStatus(
  record: CallRecord,
  status: CallListQuery['status'],
): boolean {
  if (status === undefined) return true;
  if (status === 'live') return !ENDED_STATUSES.has(record.status);
  if (status === 'ended') return ENDED_STATUSES.has(record.status);
  return record.status === status;
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) {
    return DEFAULT_CALL_LIST_LIMIT;
  }
  return Math.min(MAX_CALL_LIST_LIMIT, Math.max(0, Math.floor(limit)));
}
