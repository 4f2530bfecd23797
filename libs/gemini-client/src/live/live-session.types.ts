import type { EventEmitter } from 'node:events';
import type { LiveControlMessage, LiveFunctionCall } from './live-messages';
import type { InteractionStatus, VoiceActivityKind } from './server-events';
import type { ToolAnswer } from './tool-call-routes';
import type { LiveUsage } from './usage-totals';

/** The typed surface of a Live session and of one upstream connection. */

export interface LiveSessionClosed {
  code: number;
  reason: string;
  /** True when the session closed (or failed to open) before `setupComplete`. */
  beforeReady: boolean;
}

/** Typed events of one upstream session. */
export interface LiveSessionEvents {
  ready: [];
  audio: [data: string, mimeType: string | undefined];
  inputTranscript: [text: string];
  outputTranscript: [text: string];
  interrupted: [];
  generationComplete: [];
  turnComplete: [];
  toolCall: [calls: LiveFunctionCall[]];
  toolCallCancellation: [ids: string[]];
  goAway: [timeLeft: string | undefined];
  /** A resumable handle, with the index of the last client message it covers when the server says. */
  resumption: [handle: string, lastConsumedIndex?: number];
  closed: [info: LiveSessionClosed];
  /** The server's voice activity detection: the caller started (`start`) or stopped speaking. */
  voiceActivity: [kind: VoiceActivityKind];
  /** 3.8: `IN_PROGRESS` while the model still works (thinks) on the input, `IDLE` once done. */
  interactionStatus: [status: InteractionStatus];
  /** Token counts of the response(s) a server message ends (sum them per call: UsageTotals). */
  usage: [usage: LiveUsage];
  /** Continuity (ResilientLiveSession only): a new upstream connection is being opened. */
  reconnecting: [reason: string];
  /** Continuity: the new connection serves now; `resumed` says whether the session context survived. */
  reconnected: [info: LiveSwitchInfo];
}

/** What one connection switch cost (ResilientLiveSession's `reconnected`). */
export interface LiveSwitchInfo {
  resumed: boolean;
  /** Backoff attempts it took (0: the first try worked). */
  attempt: number;
  /** `goAway (…)` or `closed <code> <reason>`. */
  reason: string;
  /** Client messages the server had not consumed, sent again on the new connection. */
  replayed: number;
  /** ms from the decision to switch (or the loss) until the new connection served. */
  switchMs: number;
}

/** What a call holds: one logical Live session, whatever connections carry it. */
export interface LiveSession extends EventEmitter<LiveSessionEvents> {
  readonly state: LiveSessionState;
  readonly ready: Promise<void>;
  /** Caller frames dropped so far (pre-setup queue full, or backpressure from Gemini). */
  readonly droppedFrames: number;
  sendAudio(base64Pcm: string): void;
  sendText(text: string): void;
  /** Answers tool calls; `scheduling` only matters for NON_BLOCKING tools (js-genai FunctionResponse). */
  sendToolResponse(functionResponses: ToolAnswer[]): void;
  /** Sends a control message (clientContent, activity signals…): never dropped, kept in order. */
  sendControl(message: LiveControlMessage): void;
  close(code?: number, reason?: string): void;
  /** Keep the agent's events until `release()` (a session opened before its call's stream exists). */
  hold(): void;
  release(): void;
}

export type LiveSessionState = 'connecting' | 'setting-up' | 'ready' | 'closed';

/**
 * One upstream connection as ResilientLiveSession drives it (GeminiLiveSession, or a fake in specs):
 * numbered sends once ready, and the server's numbering of what was written.
 */
export interface LiveConnection extends EventEmitter<LiveSessionEvents> {
  readonly state: LiveSessionState;
  /** Frames this connection dropped (backpressure, or its own pre-ready queue). */
  readonly droppedFrames: number;
  /**
   * Writes one client message tagged with its replay `seq` (ready connections only; false
   * otherwise). Audio may be dropped under backpressure; control messages never are.
   */
  sendFrame(frame: string, audio: boolean, seq: number): boolean;
  /** The seq of the message the server numbers `index` on this connection (setup is 0). */
  seqAtIndex(index: number): number | undefined;
  /** The seq of the newest message written to the socket, if any. */
  readonly lastWrittenSeq: number | undefined;
  close(code?: number, reason?: string): void;
}
