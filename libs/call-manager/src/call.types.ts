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
  | 'instance-lost'
  /** Outbound: an answering machine took the call; the voicemail message was left. */
  | 'voicemail'
  /** Outbound: a fax machine answered; the call was ended at once. */
  | 'fax'
  /** Outbound: nobody answered (Twilio's busy, no-answer, failed or canceled). */
  | 'not-answered'
  /** The agent ended the call (`end_call`), once its goodbye had played. */
  | 'agent-hangup'
  /** The agent handed the caller to a person (`transfer_call`) and the person answered. */
  | 'transferred';

/**
 * One `transfer_call` of the agent: where to, why, and how it went. `dialing` while Twilio rings the
 * target; `answered` once the person took the call (their whisper was requested); `not-answered` when
 * the dial ended without them (`dialStatus`: Twilio's DialCallStatus busy, no-answer, failed or
 * canceled) and the caller came back to the agent.
 */
export interface CallTransfer {
  /** The profile's name for the target (a `transferTargets` key), e.g. `sales`. */
  target: string;
  /** Where it was dialled: an E.164 number or a SIP URI. */
  to: string;
  /** Why the agent transferred (its own words). */
  reason: string;
  state: 'dialing' | 'answered' | 'not-answered';
  /** Twilio's DialCallStatus when the dial ended (completed, busy, no-answer, failed, canceled). */
  dialStatus?: string;
  /** ISO 8601: when the agent asked for it. */
  at: string;
}

/** Who placed the call: a caller dialling in, or this service dialling out (`POST /calls`). */
export type CallDirection = 'inbound' | 'outbound';

/**
 * Who answered an outbound call, as the carrier's answering-machine detection reported it (Twilio's
 * `AnsweredBy` values; `machine_start` only comes with MachineDetection=Enable, never asked for here).
 */
export type AnsweredBy =
  | 'human'
  | 'machine_start'
  | 'machine_end_beep'
  | 'machine_end_silence'
  | 'machine_end_other'
  | 'fax'
  | 'unknown';

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
  /** Inbound or outbound; absent only on records written before directions were kept. */
  direction?: CallDirection;
  /** Outbound calls, once answering-machine detection has answered. */
  answeredBy?: AnsweredBy;
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
  /** Tokens the agent used over the call (Gemini Live `usageMetadata`, summed); absent when none. */
  usage?: CallTokenUsage;
  /** The agent's transfers to a person, oldest first; absent when none. */
  transfers?: CallTransfer[];
  /**
   * Per-turn latency, in order: for each caller turn the agent answered, when the caller stopped
   * speaking and how long (ms) until the first agent audio of the reply went to Twilio. Absent when
   * no turn was answered. See TurnLatency.
   */
  turnLatencies?: TurnLatency[];
}

/**
 * One answered caller turn: `at` = ISO 8601 time of the caller's end of speech as the service learnt
 * it (Gemini's ACTIVITY_END, else the last input transcription before the reply); `ms` = milliseconds
 * from then until the reply's first audio frame was sent to Twilio.
 */
export interface TurnLatency {
  at: string;
  ms: number;
}

/** Tokens of one modality (`AUDIO`, `TEXT`, …). */
export interface ModalityTokenCount {
  modality: string;
  tokenCount: number;
}

/**
 * A call's agent token usage (tokens), summed over every usage report its Gemini session sent:
 * counts as Gemini names them (prompt = what the model read, response = what it said, total = prompt
 * + response + tool use prompt + thoughts) and the same by modality; `messages` = reports summed.
 */
export interface CallTokenUsage {
  promptTokenCount: number;
  responseTokenCount: number;
  totalTokenCount: number;
  cachedContentTokenCount?: number;
  toolUsePromptTokenCount?: number;
  thoughtsTokenCount?: number;
  promptTokensDetails?: ModalityTokenCount[];
  responseTokensDetails?: ModalityTokenCount[];
  cacheTokensDetails?: ModalityTokenCount[];
  toolUsePromptTokensDetails?: ModalityTokenCount[];
  messages: number;
}

/** A live call as the registry holds it (no transcript: that lives in the store). */
export interface LiveCallSummary {
  callSid: string;
  from: string;
  to: string;
  direction?: CallDirection;
  answeredBy?: AnsweredBy;
  status: CallStatus;
  startedAt: string;
  answeredAt?: string;
  streamSid?: string;
  /** The instance holding the call (set by the registry on reserve and when a stream attaches). */
  instanceId?: string;
}

/** A call about to be reserved: who calls whom, and which way (default `inbound`). */
export type NewCall = Pick<
  LiveCallSummary,
  'callSid' | 'from' | 'to' | 'direction'
>;

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
