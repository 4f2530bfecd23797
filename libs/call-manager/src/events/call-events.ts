import { Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type {
  CallDirection,
  CallEndReason,
  CallRecord,
  TranscriptEntry,
} from '../call.types';

/** How an agent turn ended (`agent.turn`). */
export type AgentTurnOutcome =
  /** Gemini's turnComplete. */
  | 'complete'
  /** The caller spoke over the reply (interrupted). */
  | 'interrupted'
  /** The Gemini connection was switched mid-reply (what it was saying is gone). */
  | 'reconnected'
  /** The call ended first: mid-reply, or with the caller's turn still unanswered (no latencyMs). */
  | 'call-ended';

/** Every call event and its payload. Listen with `@OnEvent('call.ended')` in your own module. */
export interface CallEventMap {
  /** The media stream attached: `at` is when (ISO 8601); `direction` when the registry knows it. */
  'call.started': {
    callSid: string;
    from: string;
    to: string;
    at: string;
    direction?: CallDirection;
  };
  'call.ended': {
    callSid: string;
    reason: CallEndReason;
    durationSeconds: number;
    record?: CallRecord;
  };
  'transcript.appended': { callSid: string; entry: TranscriptEntry };
  'dtmf.received': { callSid: string; digit: string };
  'agent.interrupted': { callSid: string };
  'tool.called': {
    callSid: string;
    name: string;
    args: unknown;
    ok: boolean;
    result?: unknown;
    error?: string;
    durationMs: number;
  };
  /**
   * One caller turn and the agent's answer, once the answer is over: `callerEndedAt` (ISO 8601) is the
   * caller's end of speech, `latencyMs` the time from then to the reply's first audio sent to Twilio
   * (absent when the call ended before any), `durationMs` the time from then to the turn's end.
   */
  'agent.turn': {
    callSid: string;
    callerEndedAt: string;
    latencyMs?: number;
    durationMs: number;
    outcome: AgentTurnOutcome;
  };
  /**
   * A Gemini connection switch (goAway or a dropped connection) is over: `startedAt` (ISO 8601) when
   * it began, `durationMs` how long it took, `reason` as the session gave it (`goAway (…)`,
   * `closed <code> <reason>`), `ok` false when the session could not be recovered.
   */
  'agent.reconnected': {
    callSid: string;
    startedAt: string;
    durationMs: number;
    reason: string;
    ok: boolean;
    resumed?: boolean;
  };
}

export type CallEventName = keyof CallEventMap;

/**
 * Publishes call events. Listeners never run on the audio path: events are dispatched on a later
 * turn of the event loop, and a listener that throws or rejects is logged, never propagated.
 */
@Injectable()
export class CallEvents {
  private readonly logger = new Logger(CallEvents.name);

  /** Without EventEmitterModule in the app, events go nowhere. */
  constructor(@Optional() private readonly emitter?: EventEmitter2) {}

  emit<K extends CallEventName>(name: K, payload: CallEventMap[K]): void {
    const emitter = this.emitter;
    if (!emitter) return;
    setImmediate(() => {
      emitter.emitAsync(name, payload).catch((err: unknown) => {
        this.logger.warn({
          event: name,
          err: err instanceof Error ? err.message : String(err),
          msg: 'Call event listener failed',
        });
      });
    });
  }
}
