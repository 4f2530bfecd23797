import { Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { CallEndReason, CallRecord, TranscriptEntry } from '../call.types';

/** Every call event and its payload. Listen with `@OnEvent('call.ended')` in your own module. */
export interface CallEventMap {
  'call.started': { callSid: string; from: string; to: string; at: string };
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
