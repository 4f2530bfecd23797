export type CallStatus = 'ringing' | 'in-progress' | 'completed' | 'failed';

export type CallEndReason =
  | 'caller-hangup'
  | 'stream-stopped'
  | 'admin'
  | 'agent-closed'
  | 'max-duration'
  | 'idle-timeout'
  | 'stream-never-started'
  | 'shutdown'
  | 'error'
  | 'refused'
  /** The instance holding the call died; a surviving instance closed it (LostCallReaper). */
  | 'instance-lost';

export type TranscriptRole = 'caller' | 'agent' | 'system';

export interface TranscriptEntry {
  role: TranscriptRole;
  text: string;
  /** ISO 8601 timestamp of when the entry was appended. */
  at: string;
}

/** A call as stored: live (ringing, in-progress) or past (completed, failed). */
export interface CallRecord {
  callSid: string;
  from: string;
  to: string;
  status: CallStatus;
  startedAt: string;
  answeredAt?: string;
  endedAt?: string;
  durationSeconds?: number;
  endReason?: CallEndReason;
  /** The last status Twilio reported through its status callback. */
  twilioStatus?: string;
  transcript: TranscriptEntry[];
  /**
   * Transcript lines accepted for this call but never stored (the store's write queue was full
   * during a database outage), so `transcript` has gaps; absent when none were lost.
   */
  transcriptLinesLost?: number;
}

/** A live call as the registry holds it (no transcript: that lives in the store). */
export interface LiveCallSummary {
  callSid: string;
  from: string;
  to: string;
  status: CallStatus;
  startedAt: string;
  answeredAt?: string;
  streamSid?: string;
  /** The instance holding the call (set by the registry on reserve and when a stream attaches). */
  instanceId?: string;
}

/** Registered by whoever carries the call's audio (the Twilio bridge), so the manager can end it. */
export interface LiveCallControl {
  end(reason: CallEndReason): Promise<void> | void;
}

/** Optional: ends a call at the carrier (Twilio REST). Provided by another module under CALL_HANGUP. */
export interface CallHangup {
  hangUp(callSid: string): Promise<void>;
}

/** `unavailable`: this instance is draining for shutdown and takes no new calls. */
export type ReserveResult =
  'reserved' | 'at-capacity' | 'duplicate' | 'unavailable';

/** Statuses a call has once it is over. */
export const ENDED_STATUSES: ReadonlySet<CallStatus> = new Set<CallStatus>([
  'completed',
  'failed',
]);
