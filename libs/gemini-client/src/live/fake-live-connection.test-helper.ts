import { EventEmitter } from 'node:events';
import type {
  LiveConnection,
  LiveSessionClosed,
  LiveSessionEvents,
  LiveSessionState,
} from './live-session.types';

/** One client message as a fake connection's server received it. */
export interface FakeFrame {
  seq: number;
  audio: boolean;
  /** The audio payload, text note, or `tool:<id>` for a tool response. */
  label: string;
}

/** What a fake handle stands for (as the emulator's ResumptionRecord). */
interface FakeHandle {
  conn: FakeLiveConnection;
  index: number;
}

function label(frame: string): string {
  const message = JSON.parse(frame) as {
    realtimeInput?: { audio?: { data: string }; text?: string };
    toolResponse?: { functionResponses: Array<{ id: string }> };
    clientContent?: unknown;
  };
  if (message.realtimeInput?.audio) return message.realtimeInput.audio.data;
  if (message.realtimeInput?.text !== undefined)
    return message.realtimeInput.text;
  if (message.toolResponse)
    return message.toolResponse.functionResponses
      .map((r) => `tool:${r.id}`)
      .join(',');
  return JSON.stringify(message);
}

/**
 * A scriptable upstream connection for ResilientLiveSession specs: the test decides when it becomes
 * ready, what the model says, which handles it issues (with which consumed index), when it dies.
 * Like the server, it numbers messages from 1 after setup and keeps only what a ready socket got.
 */
export class FakeLiveConnection
  extends EventEmitter<LiveSessionEvents>
  implements LiveConnection
{
  /** Handles issued by every fake, by value. */
  static readonly handles = new Map<string, FakeHandle>();
  state: LiveSessionState = 'setting-up';
  droppedFrames = 0;
  readonly frames: FakeFrame[] = [];
  closedWith?: LiveSessionClosed;
  private handleCount = 0;

  constructor(
    readonly id: number,
    readonly resumedFrom: string | undefined,
  ) {
    super();
  }

  sendFrame(frame: string, audio: boolean, seq: number): boolean {
    if (this.state !== 'ready') return false;
    this.frames.push({ seq, audio, label: label(frame) });
    return true;
  }

  seqAtIndex(index: number): number | undefined {
    return this.frames[index - 1]?.seq;
  }

  get lastWrittenSeq(): number | undefined {
    return this.frames.at(-1)?.seq;
  }

  close(code = 1000, reason = ''): void {
    this.end(code, reason);
  }

  /** The labels the model's state holds, oldest first (resumed state, then this connection's). */
  history(): string[] {
    return [...this.inherited(), ...this.frames.map((f) => f.label)];
  }

  // Scripting, as the server would act.

  ready(): this {
    this.state = 'ready';
    this.emit('ready');
    return this;
  }

  /** Issues a handle covering messages through `index` (default: all received so far). */
  handle(index = this.frames.length): string {
    const value = `h${this.id}.${++this.handleCount}`;
    FakeLiveConnection.handles.set(value, { conn: this, index });
    this.emit('resumption', value, index);
    return value;
  }

  speak(chunks = 1): void {
    for (let i = 0; i < chunks; i++) this.emit('audio', 'AAAA', 'audio/pcm');
  }

  turnComplete(): void {
    this.emit('generationComplete');
    this.emit('turnComplete');
  }

  toolCall(id: string): void {
    this.emit('toolCall', [{ id, name: 'lookup', args: {} }]);
  }

  goAway(timeLeft = '20s'): void {
    this.emit('goAway', timeLeft);
  }

  /** Ends the connection from the server side (refused setup, deadline, dropped TCP). */
  end(code = 1006, reason = 'gone'): void {
    if (this.state === 'closed') return;
    const beforeReady = this.state !== 'ready';
    this.state = 'closed';
    this.closedWith = { code, reason, beforeReady };
    this.emit('closed', this.closedWith);
  }

  private inherited(): string[] {
    const from = this.resumedFrom
      ? FakeLiveConnection.handles.get(this.resumedFrom)
      : undefined;
    if (!from) return [];
    return [
      ...from.conn.inherited(),
      ...from.conn.frames.slice(0, from.index).map((f) => f.label),
    ];
  }
}
