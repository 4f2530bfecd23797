import type { AudioBridgeService, CallRecorder } from '@app/audio-bridge';
import type { CallEvents, CallsService } from '@app/call-manager';
import type { AgentToolRegistry, LiveSession } from '@app/gemini-client';
import type { CallControlPlan } from '../control/agent-call-control';
import type { MediaGatewayOptions } from '../media-gateway.options';
import type { OutboundPlan } from '../outbound/outbound-answer';

/** Who is calling whom. */
export interface CallParties {
  callSid: string;
  from: string;
  to: string;
  /** Outbound calls (`POST /calls`): what their stream token is bound to (the TwiML predates the CallSid). */
  dialId?: string;
  /** Outbound calls: the agent profile's name. */
  profile?: string;
}

export interface CallLifecycleDeps {
  parties: CallParties;
  calls: CallsService;
  audio: AudioBridgeService;
  tools: AgentToolRegistry;
  events: CallEvents;
  options: MediaGatewayOptions;
  /**
   * Opens a Gemini Live session with the profile for the dialled number. `firstPrompt`, when given,
   * is what the agent is told first instead of its greeting (a caller back from a failed transfer).
   */
  openSession(firstPrompt?: string): LiveSession;
  /** A recorder when this call is recorded (profile or deployment); its clock starts when called. */
  startRecording?(): CallRecorder | undefined;
  /** Called once, when the call reaches `ended`. */
  onEnded(lifecycle: { readonly callSid: string }): void;
  /** Outbound calls: the agent waits for answering-machine detection (see OutboundAnswer). */
  outbound?: OutboundPlan;
  /** The agent's `end_call` / `transfer_call` (targets, REST redirect); unset: transfers unavailable. */
  control?: CallControlPlan;
}

/** The close code (RFC 6455 §7.4.1) and reason the stream gets when the call ends. */
export interface StreamClose {
  code: number;
  reason: string;
}
