import type { AnsweredBy } from '@app/call-manager';

/** Who is calling whom: the webhook's CallSid, From and To. */
export interface IncomingCall {
  callSid: string;
  from: string;
  to: string;
}

/**
 * What to tell Twilio about an incoming call: connect it to the media stream with these
 * `<Parameter>`s, or refuse it politely (at capacity: `busy`; shutting down: `unavailable`).
 */
export type IncomingCallAnswer =
  | { action: 'connect'; parameters: Record<string, string> }
  | { action: 'busy' }
  | { action: 'unavailable' };

/** A status callback: Twilio's CallStatus and, once known, CallDuration (seconds). */
export interface CallStatusUpdate {
  callSid: string;
  status: string;
  durationSeconds?: number;
}

/**
 * Twilio's verdict on who answered an outbound call (`AsyncAmdStatusCallback`): `human`,
 * `machine_end_beep`, `machine_end_silence`, `machine_end_other`, `fax` or `unknown`
 * (`machine_start` only with MachineDetection=Enable).
 */
export interface AmdStatusUpdate {
  callSid: string;
  answeredBy: AnsweredBy;
  /** How long detection took (ms), when Twilio says (`MachineDetectionDuration`). */
  detectionMs?: number;
}

/** How a transfer's `<Dial>` ended (its `action` request). */
export interface TransferDialUpdate {
  /** The transferred call (the one that ran `<Dial>`). */
  callSid: string;
  /** Twilio's DialCallStatus: completed, answered, busy, no-answer, failed or canceled. */
  dialStatus: string;
  /** How long the caller and the person talked (seconds), when they did. */
  durationSeconds?: number;
}

/**
 * What the call does after a transfer's dial: back to the agent on a new stream (with these
 * `<Parameter>`s), or hang up (the person and the caller talked, or the call is over).
 */
export type TransferDialAnswer =
  | { action: 'connect'; parameters: Record<string, string> }
  | { action: 'hangup' };

/**
 * The port the webhook controller hands calls to (provided under TWILIO_CALL_HANDLER by whoever owns
 * calls: the media gateway). Keeps this library on Twilio's side only.
 */
export interface TwilioCallHandler {
  incomingCall(call: IncomingCall): Promise<IncomingCallAnswer>;
  callStatus(update: CallStatusUpdate): Promise<void>;
  /** `POST /amd-status`: answering-machine detection's verdict on an outbound call. */
  amdStatus(update: AmdStatusUpdate): Promise<void>;
  /** A transfer's whisper was requested: the person answered. Resolves once recorded. */
  transferAnswered(callSid: string): Promise<void>;
  /** A transfer's `<Dial action>`: how the dial ended; what the call does next. */
  transferEnded(update: TransferDialUpdate): Promise<TransferDialAnswer>;
}

export const TWILIO_CALL_HANDLER = 'TWILIO_CALL_HANDLER';
