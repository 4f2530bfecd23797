/** Injection token for the live-call registry (interface CallRegistry). */
export const CALL_REGISTRY = 'CALL_REGISTRY';
/** Injection token for call records and transcripts (interface CallStore). */
export const CALL_STORE = 'CALL_STORE';
/** Optional injection token for carrier hang-up (interface CallHangup). */
export const CALL_HANGUP = 'CALL_HANGUP';
/** Injection token for CallManagerOptions. */
export const CALL_MANAGER_OPTIONS = 'CALL_MANAGER_OPTIONS';

export interface CallManagerOptions {
  /** Bearer token for the admin API; unset (or empty) disables the admin API. */
  adminApiKey?: string;
  /** Live calls allowed at once (across instances when the registry is shared). */
  maxConcurrentCalls: number;
  /** `sqlite:<path>` (default `sqlite:data/calls.db`) or `postgres://…`; unset: in-memory store. */
  databaseUrl?: string;
  /** `redis://…` for a registry shared by several instances; unset: in-memory registry. */
  redisUrl?: string;
  /** This instance's id in a shared registry (default: hostname-pid-random). */
  instanceId?: string;
  /** On shutdown, how long live calls may go on before they are ended (ms, default 20 s). */
  drainTimeoutMs?: number;
  /**
   * Longest wait for one registry or store step while a call starts or ends (ms, default 5000): a
   * backend that stops answering costs that call at most this per step, never a stuck lifecycle.
   */
  stepTimeoutMs?: number;
  /**
   * How survivors close the calls of an instance that died (shared registry only; see
   * LostCallReaper). The defaults suit production.
   */
  lostCalls?: LostCallReaperOptions;
}

/** Timings of the lost-call reaper (all ms but `batchSize`). */
export interface LostCallReaperOptions {
  /** How often each instance looks for lost calls (default: the registry's ttl, 6000). */
  scanEveryMs?: number;
  /** How long after a call expired from the registry it is reaped (default: half the ttl, 3000). */
  graceMs?: number;
  /** How long one survivor's claim keeps the others off a call while it closes it (default 60000). */
  leaseMs?: number;
  /** Most calls claimed per scan (default 20); the rest wait for the next scan. */
  batchSize?: number;
}

/** A Twilio Call SID: "CA" and 32 hex digits. */
export const CALL_SID_PATTERN = /^CA[0-9a-fA-F]{32}$/;
export const CALL_SID_FORMAT_MESSAGE =
  'callSid must be "CA" followed by 32 hexadecimal characters';

/** CallStore.list: records returned when no limit is given, and the most ever returned. */
export const DEFAULT_CALL_LIST_LIMIT = 50;
export const MAX_CALL_LIST_LIMIT = 1000;
