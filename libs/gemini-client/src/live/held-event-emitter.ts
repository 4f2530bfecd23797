import { EventEmitter } from 'node:events';
import type { LiveSessionEvents } from './live-session.types';

/** Agent audio kept while held: 30 s of Gemini's 40 ms chunks (a greeting and what follows it). */
const MAX_HELD_AUDIO = 750;
/** Other events kept while held (transcript pieces, turn signals, tool calls, usage…). */
const MAX_HELD_OTHER = 2000;

/**
 * The base EventEmitter emit for a (name, args) pair: the typed emit cannot take a replayed pair.
 */
// eslint-disable-next-line @typescript-eslint/unbound-method -- always called with its receiver below
const baseEmit: (...args: unknown[]) => boolean = EventEmitter.prototype.emit;
function emitNow(
  target: EventEmitter<LiveSessionEvents>,
  name: string,
  args: unknown[],
): boolean {
  const delivered: unknown = Reflect.apply(baseEmit, target, [name, ...args]);
  return delivered === true;
}

/**
 * A Live session's typed events, which can be held: a session opened early, before the call's media
 * stream exists, must not lose what the agent says meanwhile (its greeting, asked for at
 * `setupComplete`, plays the moment the stream starts). `closed` is never held. The buffer is
 * bounded: beyond MAX_HELD_AUDIO chunks the newest audio is dropped (the start of what the agent
 * said is kept) and counted; other events are kept up to MAX_HELD_OTHER.
 */
export class HeldEventEmitter extends EventEmitter<LiveSessionEvents> {
  /** Agent audio chunks (and other events) dropped because the hold buffer was full. */
  droppedWhileHeld = 0;
  private heldEvents?: Array<() => void>;
  private heldAudio = 0;

  /** Holds the agent's events (audio, transcripts, tool calls…) until `release()`. */
  hold(): void {
    if (this.heldEvents) return;
    this.heldEvents = [];
    this.heldAudio = 0;
  }

  /** Replays held events to the listeners now attached, then delivers events as they come. */
  release(): void {
    const events = this.heldEvents;
    this.heldEvents = undefined;
    for (const replay of events ?? []) replay();
  }

  override emit<K extends keyof LiveSessionEvents>(
    name: K,
    ...args: LiveSessionEvents[K]
  ): boolean {
    const held = this.heldEvents;
    if (held && name !== 'closed') {
      const audio = name === 'audio';
      const room = audio
        ? this.heldAudio < MAX_HELD_AUDIO
        : held.length - this.heldAudio < MAX_HELD_OTHER;
      if (!room) this.droppedWhileHeld++;
      else {
        if (audio) this.heldAudio++;
        held.push(() => emitNow(this, name, args));
      }
      return true;
    }
    return emitNow(this, name, args);
  }
}
