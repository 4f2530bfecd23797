import { EventEmitter } from 'node:events';
import {
  GeminiLiveSession,
  LiveSession,
  LiveSessionClosed,
  LiveSessionEvents,
  LiveSessionState,
} from './gemini-live-session';

export interface ContinuityPolicy {
  /** Delays before each reconnect attempt after an unexpected close (its length is the attempt limit). */
  backoffMs: number[];
}

export const DEFAULT_CONTINUITY: ContinuityPolicy = {
  backoffMs: [0, 250, 500, 1000, 2000],
};

/** Caller input held while no connection can take it (between a close and the next connection). */
const MAX_HELD = 250;

type Send = (session: GeminiLiveSession) => void;

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

/** Agent events kept while held (about 40 s of 40 ms audio chunks). */
const MAX_HELD_EVENTS = 1000;

/** Close codes after which resuming with the same handle is pointless (bad request, bad handle). */
const HANDLE_REJECTED = new Set([1007]);

/**
 * One logical Gemini Live session for the life of a call, carried by as many connections as it takes.
 * It keeps the latest `sessionResumptionUpdate` handle; on `goAway` it opens the next connection with
 * that handle while the old one still talks, and switches when the new one is ready; on an unexpected
 * close it reconnects with backoff and the handle. Caller audio sent during a switch goes to the new
 * connection's pre-setup queue (bounded) and is replayed when it is ready, so none is lost. Only when
 * every attempt fails does it emit `closed`.
 */
export class ResilientLiveSession
  extends EventEmitter<LiveSessionEvents>
  implements LiveSession
{
  readonly ready: Promise<void>;
  /** Connections opened after the first (goAway switches and reconnects). */
  reconnects = 0;
  /** Caller messages dropped because the hold queue was full. */
  dropped = 0;
  private held: Send[] = [];
  private heldEvents?: Array<() => void>;
  /** Frames dropped by connections already replaced. */
  private droppedByClosed = 0;
  private everReady = false;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;
  private current: GeminiLiveSession;
  private next?: GeminiLiveSession;
  private handle?: string;
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  private switchReason = '';
  private finished = false;

  constructor(
    private readonly connect: (resumptionHandle?: string) => GeminiLiveSession,
    private readonly policy: ContinuityPolicy = DEFAULT_CONTINUITY,
  ) {
    super();
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined); // observed through 'closed'
    this.current = connect();
    this.watch(this.current);
  }

  /** Caller frames dropped on every connection of this session, and while none could take them. */
  get droppedFrames(): number {
    return (
      this.dropped +
      this.droppedByClosed +
      this.current.droppedFrames +
      (this.next?.droppedFrames ?? 0)
    );
  }

  /**
   * Holds the agent's events (audio, transcripts, tool calls…) until `release()`: a session opened
   * early, before the call's media stream exists, must not lose what the agent says meanwhile.
   */
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

  /** `closed` only once the session is over for good; while a connection is replaced, `connecting`. */
  get state(): LiveSessionState {
    if (this.finished) return 'closed';
    const state = this.current.state;
    return state === 'closed' ? 'connecting' : state;
  }

  /** The latest resumption handle Gemini gave us. */
  get resumptionHandle(): string | undefined {
    return this.handle;
  }

  sendAudio(base64Pcm: string): void {
    this.deliver((s) => s.sendAudio(base64Pcm));
  }

  sendText(text: string): void {
    this.deliver((s) => s.sendText(text));
  }

  sendToolResponse(
    functionResponses: Array<{ id: string; name: string; response: unknown }>,
  ): void {
    this.deliver((s) => s.sendToolResponse(functionResponses));
  }

  close(code = 1000, reason = 'session closed by the service'): void {
    if (this.finished) return;
    this.finish({ code, reason, beforeReady: this.current.state !== 'ready' });
  }

  /**
   * Caller input goes to the connection being switched to once one is opening (its own queue holds it
   * until setup completes), else to the current one; with neither able to take it, it is held here.
   */
  private deliver(send: Send): void {
    if (this.finished) return;
    const target = this.next ?? this.current;
    if (target.state !== 'closed') {
      send(target);
      return;
    }
    if (this.held.length >= MAX_HELD) {
      this.held.shift();
      this.dropped++;
    }
    this.held.push(send);
  }

  private watch(session: GeminiLiveSession): void {
    const live = (): boolean => !this.finished && session === this.current;
    session.on(
      'audio',
      (data, mime) => live() && this.emit('audio', data, mime),
    );
    session.on(
      'inputTranscript',
      (text) => live() && this.emit('inputTranscript', text),
    );
    session.on(
      'outputTranscript',
      (text) => live() && this.emit('outputTranscript', text),
    );
    session.on('interrupted', () => live() && this.emit('interrupted'));
    session.on(
      'generationComplete',
      () => live() && this.emit('generationComplete'),
    );
    session.on('turnComplete', () => live() && this.emit('turnComplete'));
    session.on('toolCall', (calls) => live() && this.emit('toolCall', calls));
    session.on(
      'toolCallCancellation',
      (ids) => live() && this.emit('toolCallCancellation', ids),
    );
    session.on('resumption', (handle) => {
      if (session !== this.current) return;
      this.handle = handle;
      this.emit('resumption', handle);
    });
    session.on('goAway', (timeLeft) => {
      if (!live()) return;
      this.emit('goAway', timeLeft);
      this.open(`goAway (${timeLeft ?? 'no time left given'})`);
    });
    session.on('ready', () => this.onReady(session));
    session.on('closed', (info) => this.onClosed(session, info));
  }

  private open(reason: string): void {
    if (this.finished || this.next) return;
    this.switchReason = reason;
    this.reconnects++;
    this.emit('reconnecting', reason);
    this.next = this.connect(this.handle);
    this.watch(this.next);
    // What the failed connection accepted but never sent goes first, then what was held here.
    if (this.current.state === 'closed')
      this.next.replay(this.current.takeUnsent());
    const held = this.held;
    this.held = [];
    for (const send of held) send(this.next);
  }

  private onReady(session: GeminiLiveSession): void {
    if (this.finished) return;
    if (session === this.current) {
      this.markReady();
      return;
    }
    if (session !== this.next) return;
    const previous = this.current;
    this.droppedByClosed += previous.droppedFrames;
    this.current = session;
    this.next = undefined;
    const attempt = this.attempt;
    this.attempt = 0;
    if (previous.state !== 'closed')
      previous.close(1000, 'switched to a resumed session');
    this.markReady();
    this.emit('reconnected', {
      resumed: this.handle !== undefined,
      attempt,
      reason: this.switchReason,
    });
  }

  private markReady(): void {
    if (this.everReady) return;
    this.everReady = true;
    this.resolveReady();
    this.emit('ready');
  }

  private onClosed(session: GeminiLiveSession, info: LiveSessionClosed): void {
    if (this.finished) return;
    if (session === this.next) {
      // The connection we were switching to failed: try again, without the handle if it was refused.
      this.next = undefined;
      if (HANDLE_REJECTED.has(info.code)) this.handle = undefined;
      this.retry(info);
    } else if (session === this.current && !this.next) {
      // Unexpected close with no switch under way (a goAway switch keeps going on its own).
      this.retry(info);
    }
  }

  private retry(info: LiveSessionClosed): void {
    const delay = this.policy.backoffMs[this.attempt];
    if (delay === undefined) {
      this.finish({
        ...info,
        reason: `Gemini session could not be recovered: ${info.reason}`,
      });
      return;
    }
    this.attempt++;
    this.retryTimer = setTimeout(
      () => this.open(`closed ${info.code} ${info.reason}`.trim()),
      delay,
    );
    this.retryTimer.unref();
  }

  private finish(info: LiveSessionClosed): void {
    this.finished = true;
    clearTimeout(this.retryTimer);
    for (const session of [this.current, this.next]) {
      if (session && session.state !== 'closed')
        session.close(1000, 'call ended');
    }
    this.next = undefined;
    this.held = [];
    this.rejectReady(
      new Error(`Gemini session closed (${info.code}) ${info.reason}`),
    );
    this.emit('closed', info);
  }
}
