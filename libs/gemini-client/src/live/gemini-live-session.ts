import { EventEmitter } from 'node:events';
import { BoundedFrameSender } from '../transport/bounded-frame-sender';
import WebSocket from 'ws';
import {
  LiveFunctionCall,
  LiveServerMessage,
  parseServerMessage,
  realtimeAudioMessage,
} from './live-messages';
import { readServerEvents, ServerEventSink } from './server-events';

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
  resumption: [handle: string];
  closed: [info: LiveSessionClosed];
  /** Continuity (ResilientLiveSession only): a new upstream connection is being opened. */
  reconnecting: [reason: string];
  /** Continuity: the new connection is ready; `resumed` says whether the session context survived. */
  reconnected: [info: { resumed: boolean; attempt: number; reason: string }];
}

/** What a call holds: one logical Live session, whatever connections carry it. */
export interface LiveSession extends EventEmitter<LiveSessionEvents> {
  readonly state: LiveSessionState;
  readonly ready: Promise<void>;
  /** Caller frames dropped so far (pre-setup queue full, or backpressure from Gemini). */
  readonly droppedFrames: number;
  sendAudio(base64Pcm: string): void;
  sendText(text: string): void;
  sendToolResponse(
    functionResponses: Array<{ id: string; name: string; response: unknown }>,
  ): void;
  close(code?: number, reason?: string): void;
  /** Keep the agent's events until `release()` (a session opened before its call's stream exists). */
  hold(): void;
  release(): void;
}

export type LiveSessionState = 'connecting' | 'setting-up' | 'ready' | 'closed';

/** Backpressure towards Gemini: ~3 s of 16 kHz PCM (base64) in the socket, ~3 s of frames queued. */
const UPSTREAM_HIGH_WATER_BYTES = 128 * 1024;
const UPSTREAM_MAX_QUEUED_FRAMES = 150;

export interface LiveSessionOptions {
  setupTimeoutMs: number;
  /** Messages kept while not yet ready; the oldest are dropped beyond this. */
  maxPending: number;
}

/**
 * One Gemini Live connection: sends `setup` first and nothing else until `setupComplete`, keeps a bounded
 * queue of what the caller sends meanwhile, then emits typed events for everything the server says.
 * Server frames are parsed whether they arrive as text or binary.
 */
export class GeminiLiveSession
  extends EventEmitter<LiveSessionEvents>
  implements LiveSession
{
  state: LiveSessionState = 'connecting';
  /** Resolves at `setupComplete`; rejects if the session closes or times out first. */
  readonly ready: Promise<void>;
  /** Messages dropped from the pre-ready queue because it was full. */
  droppedWhileConnecting = 0;
  /** Server frames that were not JSON objects, and fields of the wrong type (skipped). */
  malformedFrames = 0;
  private socket?: WebSocket;
  private sender?: BoundedFrameSender;
  private pending: string[] = [];
  private setupTimer?: NodeJS.Timeout;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;

  constructor(
    socket: Promise<WebSocket>,
    private readonly setup: object,
    private readonly options: LiveSessionOptions,
  ) {
    super();
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined); // observed through 'closed'; avoid unhandled rejections
    this.setupTimer = setTimeout(
      () =>
        this.fail(1011, `no setupComplete within ${options.setupTimeoutMs} ms`),
      options.setupTimeoutMs,
    );
    socket.then(
      (ws) => this.attach(ws),
      (err: Error) => this.fail(1011, `could not connect: ${err.message}`),
    );
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  /** Sends base64 PCM16 16 kHz caller audio (queued until ready). */
  sendAudio(base64Pcm: string): void {
    this.send(realtimeAudioMessage(base64Pcm), true);
  }

  get droppedFrames(): number {
    return this.droppedWhileConnecting + this.droppedUnderBackpressure;
  }

  /** Caller audio dropped because Gemini read too slowly (backpressure). */
  get droppedUnderBackpressure(): number {
    return this.sender?.dropped ?? 0;
  }

  /** Tells the model something as realtime text input (e.g. a DTMF digit). */
  sendText(text: string): void {
    this.send(JSON.stringify({ realtimeInput: { text } }));
  }

  sendToolResponse(
    functionResponses: Array<{ id: string; name: string; response: unknown }>,
  ): void {
    this.send(JSON.stringify({ toolResponse: { functionResponses } }));
  }

  close(code = 1000, reason = 'session closed by the service'): void {
    if (this.state === 'closed') return;
    const socket = this.socket;
    if (socket && socket.readyState === WebSocket.OPEN)
      socket.close(code, reason);
    else if (socket && socket.readyState === WebSocket.CONNECTING)
      socket.terminate();
    this.finish({ code, reason, beforeReady: this.state !== 'ready' });
  }

  /** A single connection delivers events as they come (holding is ResilientLiveSession's job). */
  hold(): void {}

  release(): void {}

  /** Messages this connection took but never sent (it closed first); handing them over empties the list. */
  takeUnsent(): string[] {
    const unsent = this.pending;
    this.pending = [];
    return unsent;
  }

  /** Sends (or queues, until ready) messages another connection could not deliver. */
  replay(messages: string[]): void {
    for (const message of messages) this.send(message);
  }

  private send(message: string, audio = false): void {
    if (
      this.state === 'ready' &&
      this.socket?.readyState === WebSocket.OPEN &&
      this.sender
    ) {
      if (audio) this.sender.sendAudio(message);
      else this.sender.sendControl(message);
    } else if (this.state !== 'closed') {
      if (this.pending.length >= this.options.maxPending) {
        this.pending.shift();
        this.droppedWhileConnecting++;
      }
      this.pending.push(message);
    }
  }

  private attach(ws: WebSocket): void {
    if (this.state === 'closed') {
      ws.terminate();
      return;
    }
    this.socket = ws;
    this.sender = new BoundedFrameSender(ws, {
      highWaterBytes: UPSTREAM_HIGH_WATER_BYTES,
      maxQueuedFrames: UPSTREAM_MAX_QUEUED_FRAMES,
    });
    ws.on('open', () => {
      this.state = 'setting-up';
      ws.send(JSON.stringify(this.setup));
    });
    ws.on('message', (data: Buffer) => this.onFrame(data));
    ws.on('close', (code: number, reason: Buffer) =>
      this.finish({
        code,
        reason: reason.toString('utf8'),
        beforeReady: this.state !== 'ready',
      }),
    );
    ws.on('error', (err: Error) => this.fail(1006, err.message));
  }

  private onFrame(data: Buffer): void {
    let message: LiveServerMessage;
    try {
      message = parseServerMessage(data);
    } catch {
      this.malformedFrames++;
      return; // not a JSON object: nothing to act on
    }
    this.malformedFrames += readServerEvents(message, this.sink);
  }

  /** Where readServerEvents delivers a frame's events: this session's typed events. */
  private readonly sink: ServerEventSink = {
    setupComplete: () => {
      if (this.state === 'setting-up') this.becomeReady();
    },
    audio: (data, mimeType) => this.emit('audio', data, mimeType),
    inputTranscript: (text) => this.emit('inputTranscript', text),
    outputTranscript: (text) => this.emit('outputTranscript', text),
    interrupted: () => this.emit('interrupted'),
    generationComplete: () => this.emit('generationComplete'),
    turnComplete: () => this.emit('turnComplete'),
    toolCall: (calls) => this.emit('toolCall', calls),
    toolCallCancellation: (ids) => this.emit('toolCallCancellation', ids),
    goAway: (timeLeft) => this.emit('goAway', timeLeft),
    resumption: (handle) => this.emit('resumption', handle),
  };

  private becomeReady(): void {
    clearTimeout(this.setupTimer);
    this.state = 'ready';
    const queued = this.pending;
    this.pending = [];
    for (const message of queued) this.sender?.sendControl(message);
    this.resolveReady();
    this.emit('ready');
  }

  private fail(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.socket?.terminate();
    this.finish({ code, reason, beforeReady: this.state !== 'ready' });
  }

  private finish(info: LiveSessionClosed): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.setupTimer);
    this.rejectReady(
      new Error(`Gemini session closed (${info.code}) ${info.reason}`),
    );
    this.emit('closed', info);
  }
}
