import type { AgentProfile } from '@app/gemini-client';
import type { OutboundPlan } from './outbound-answer';

/** Outbound calls (`POST /calls`): what the app configures; every field has a default. */
export interface OutboundOptions {
  /** `From` when `POST /calls` names none: TWILIO_PHONE_NUMBER (E.164). Unset: `from` is required. */
  callerId?: string;
  /** Twilio `Timeout`: how long a call may ring unanswered (seconds; default 60, Twilio's own). */
  ringTimeoutSeconds?: number;
  /**
   * With the stream up and no answering-machine verdict this long, the callee is taken for a person,
   * as Twilio's own `unknown` would (ms; default 35 000: Twilio's 30 s MachineDetectionTimeout + 5 s).
   */
  amdTimeoutMs?: number;
  /** Longest voicemail message (ms; default 60 000): the call ends then, however far it got. */
  voicemailMaxMs?: number;
}

export const DEFAULT_RING_TIMEOUT_SECONDS = 60;
export const DEFAULT_AMD_TIMEOUT_MS = 35_000;
export const DEFAULT_VOICEMAIL_MAX_MS = 60_000;

/**
 * Left on an answering machine when the profile has no `voicemailMessage` (spoken by the agent in
 * the profile's voice and language instruction).
 */
export const DEFAULT_VOICEMAIL_MESSAGE =
  'Hello, this is an automated assistant calling for you. Sorry we missed you; we will try again later. Goodbye.';

/** The options with their defaults. */
export function outboundSettings(
  options: OutboundOptions = {},
): Required<Omit<OutboundOptions, 'callerId'>> &
  Pick<OutboundOptions, 'callerId'> {
  return {
    callerId: options.callerId,
    ringTimeoutSeconds:
      options.ringTimeoutSeconds ?? DEFAULT_RING_TIMEOUT_SECONDS,
    amdTimeoutMs: options.amdTimeoutMs ?? DEFAULT_AMD_TIMEOUT_MS,
    voicemailMaxMs: options.voicemailMaxMs ?? DEFAULT_VOICEMAIL_MAX_MS,
  };
}

/**
 * What an outbound call with `profile` does once answered (OutboundAnswer). The reservation waits for
 * the callee to answer (`ringTimeoutSeconds`) and then for the stream (`streamWaitMs`, as for inbound).
 */
export function outboundPlan(
  profile: AgentProfile,
  options: OutboundOptions | undefined,
  streamWaitMs: number,
  hangUp: () => Promise<void>,
): OutboundPlan {
  const settings = outboundSettings(options);
  return {
    greeting: profile.greeting,
    voicemailMessage: profile.voicemailMessage ?? DEFAULT_VOICEMAIL_MESSAGE,
    amdTimeoutMs: settings.amdTimeoutMs,
    voicemailMaxMs: settings.voicemailMaxMs,
    answerTimeoutMs: settings.ringTimeoutSeconds * 1000 + streamWaitMs,
    hangUp,
  };
}
