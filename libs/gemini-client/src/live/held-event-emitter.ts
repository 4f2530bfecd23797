import { EventEmitter } from 'node:events';
import type { LiveSessionEvents } from './live-session.types';

/** Agent events kept while held (about 40 s of 40 ms audio chunks). */
const MAX_HELD_EVENTS = 1000;

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
 * stream exists, must not lose what the agent says meanwhile. `closed` is never held.
 */
export class HeldEventEmitter extends EventEmitter<LiveSessionEvents> {
  private heldEvents?: Array<() => void>;

  /** Holds the agent's events (audio, transcripts, tool calls…) until `release()`. */
  hold(): void {
    this.heldEvents ??= [];
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
      if (held.length < MAX_HELD_EVENTS)
        held.push(() => emitNow(this, name, args));
      return true;
    }
    return emitNow(this, name, args);
  }
}
