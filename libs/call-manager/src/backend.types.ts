/** What a storage backend (call store, call registry) reports to /health and the logs. */
export interface BackendStatus {
  /** e.g. 'memory', 'sqlite', 'postgres', 'redis'. */
  backend: string;
  ok: boolean;
  /** Why it is not ok (the last error), or extra facts. */
  detail?: string;
  /** Writes waiting to be retried because the backend failed (0 when healthy). */
  pendingWrites?: number;
  /** The write queue's bound: pendingWrites / maxPendingWrites is its fill. */
  maxPendingWrites?: number;
  /** true while a write-behind store rides out an outage (writes queued, retried). */
  outage?: boolean;
}

/** Implemented by every backend so the app can report health and release connections. */
export interface ManagedBackend {
  health(): Promise<BackendStatus>;
  /** Flushes what can be flushed and releases connections; called once at shutdown. */
  close(): Promise<void>;
}
