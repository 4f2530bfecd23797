import {
  DEFAULT_CALL_LIST_LIMIT,
  MAX_CALL_LIST_LIMIT,
} from '../call-manager.constants';
import { ENDED_STATUSES, type CallStatus } from '../call.types';
import type { CallListQuery } from './call-store.interface';

/** CallListQuery.limit as a row count: default 50, at most 1000, never negative. */
export function clampListLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) {
    return DEFAULT_CALL_LIST_LIMIT;
  }
  return Math.min(MAX_CALL_LIST_LIMIT, Math.max(0, Math.floor(limit)));
}

/**
 * CallListQuery.before in the stored form (`toISOString()`), so text comparison matches time order;
 * undefined when absent or not a date (ignored, as the in-memory store does).
 */
export function normalizeBeforeCursor(
  before: string | undefined,
): string | undefined {
  if (before === undefined) return undefined;
  const ms = Date.parse(before);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
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
