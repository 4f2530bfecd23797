import {
  DEFAULT_CALL_LIST_LIMIT,
  MAX_CALL_LIST_LIMIT,
} from '../call-manager.constants';
import { ENDED_STATUSES, type CallStatus } from '../call.types';
import type { CallListCursor, CallListQuery } from './call-store.interface';

/** CallListQuery.limit as a row count: default 50, at most 1000, never negative. */
export function clampListLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) {
    return DEFAULT_CALL_LIST_LIMIT;
  }
  return Math.min(MAX_CALL_LIST_LIMIT, Math.max(0, Math.floor(limit)));
}

/**
 * CallListQuery.before in the stored form (`toISOString()`), so text comparison matches time order;
 * undefined when absent or not a date (ignored, as documented on CallListQuery).
 */
export function normalizeBeforeCursor(
  before: string | undefined,
): string | undefined {
  if (before === undefined) return undefined;
  const ms = Date.parse(before);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * Where a page starts, as one keyset position: the query's `after` (its startedAt in stored form)
 * and its legacy `before` (as `{ startedAt: before, callSid: '' }`: '' sorts below every CallSid,
 * so the whole timestamp is passed), whichever lies further along the list; undefined for the
 * first page. Throws a RangeError when `after.startedAt` is not a time.
 */
export function listStart(query: CallListQuery): CallListCursor | undefined {
  let start: CallListCursor | undefined;
  if (query.after) {
    const ms = Date.parse(query.after.startedAt);
    if (Number.isNaN(ms)) {
      throw new RangeError('CallListQuery.after.startedAt is not a time');
    }
    start = {
      startedAt: new Date(ms).toISOString(),
      callSid: query.after.callSid,
    };
  }
  const before = normalizeBeforeCursor(query.before);
  if (before !== undefined) {
    const legacy = { startedAt: before, callSid: '' };
    if (!start || compareListOrder(legacy, start) > 0) start = legacy;
  }
  return start;
}

/**
 * Compares two positions in the list order (startedAt descending, then callSid descending, by
 * UTF-16 code units as SQLite's BINARY collation does for ASCII CallSids): negative when `a` comes
 * first. Times are compared as instants, so any ISO form works.
 */
export function compareListOrder(a: CallListCursor, b: CallListCursor): number {
  const byTime = Date.parse(b.startedAt) - Date.parse(a.startedAt);
  if (byTime !== 0) return byTime;
  if (a.callSid === b.callSid) return 0;
  return a.callSid > b.callSid ? -1 : 1;
}

/** The statuses a CallListQuery.status filter matches, or undefined for all. */
export function statusesFor(
  status: CallListQuery['status'],
): CallStatus[] | undefined {
  if (status === undefined) return undefined;
  if (status === 'live') {
    return ALL_STATUSES.filter((s) => !ENDED_STATUSES.has(s));
  }
  if (status === 'ended') return [...ENDED_STATUSES];
  return [status];
}

const ALL_STATUSES: CallStatus[] = [
  'ringing',
  'in-progress',
  'completed',
  'failed',
];
