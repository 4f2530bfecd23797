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

/**
 * The port the webhook controller hands calls to (provided under TWILIO_CALL_HANDLER by whoever owns
 * calls: the media gateway). Keeps this library on Twilio's side only.
 */
export interface TwilioCallHandler {
  incomingCall(call: IncomingCall): Promise<IncomingCallAnswer>;
  callStatus(update: CallStatusUpdate): Promise<void>;
  /** `POST /amd-status`: answering-machine detection's verdict on an outbound call. */
  amdStatus(update: AmdStatusUpdate): Promise<void>;
}

export const TWILIO_CALL_HANDLER = 'TWILIO_CALL_HANDLER';
