import { EventEmitter } from 'node:events';
import { BoundedFrameSender } from '../transport/bounded-frame-sender';
import { BatchedJob, TurnBatch } from '../transport/turn-batch';
import WebSocket from 'ws';
import { ClientMessageLog } from './client-message-log';
import {
  LiveControlMessage,
  LiveServerMessage,
  parseServerMessage,
  realtimeAudioMessage,
} from './live-messages';
import type {
  LiveConnection,
  LiveSession,
  LiveSessionClosed,
  LiveSessionEvents,
  LiveSessionState,
} from './live-session.types';
import { readServerEvents, ServerEventSink } from './server-events';
import type { ToolAnswer } from './tool-call-routes';

export type {
  LiveConnection,
  LiveSession,
  LiveSessionClosed,
  LiveSessionEvents,
  LiveSessionState,
  LiveSwitchInfo,
} from './live-session.types';

/** Backpressure towards Gemini: ~3 s of 16 kHz PCM (base64) in the socket, ~3 s of frames queued. */
const UPSTREAM_HIGH_WATER_BYTES = 128 * 1024;
const UPSTREAM_MAX_QUEUED_FRAMES = 150;

export interface LiveSessionOptions {
  setupTimeoutMs: number;
  /** Messages kept while not yet ready; beyond this the oldest AUDIO is dropped (control never). */
  maxPending: number;
}

/** Every Gemini connection's frames, handled once per event-loop turn (TurnBatch). */
const serverFrames = new TurnBatch();

/**
 * One Gemini Live connection: sends `setup` first and nothing else until `setupComplete`, keeps a bounded
 * queue of what the caller sends meanwhile, then emits typed events for everything the server says.
 * Server frames are parsed whether they arrive as text or binary. Every message written after setup is
 * numbered as the server numbers it (ClientMessageLog), for `lastConsumedClientMessageIndex`.
 */
export class GeminiLiveSession
  extends EventEmitter<LiveSessionEvents>
  implements LiveSession, LiveConnection
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
  private pending: Array<{ frame: string; audio: boolean }> = [];
  private readonly log = new ClientMessageLog();
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

  /** Sends base64 PCM16 16 kHz caller audio (queued until ready); `base64Pcm` must be base64 (it is
   *  inserted unescaped and written as ASCII bytes). */
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

  sendToolResponse(functionResponses: ToolAnswer[]): void {
    this.send(JSON.stringify({ toolResponse: { functionResponses } }));
  }

  sendControl(message: LiveControlMessage): void {
    this.send(JSON.stringify(message));
  }

  sendFrame(frame: string, audio: boolean, seq: number): boolean {
    const sender = this.sender;
    if (
      this.state !== 'ready' ||
      this.socket?.readyState !== WebSocket.OPEN ||
      !sender
    )
      return false;
    if (audio) sender.sendAudio(frame, seq);
    else sender.sendControl(frame, seq);
    return true;
  }

  seqAtIndex(index: number): number | undefined {
    return this.log.seqAt(index);
  }

  get lastWrittenSeq(): number | undefined {
    return this.log.lastSeq;
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

  private send(frame: string, audio = false): void {
    if (
      this.state === 'ready' &&
      this.socket?.readyState === WebSocket.OPEN &&
      this.sender
    ) {
      if (audio) this.sender.sendAudio(frame);
      else this.sender.sendControl(frame);
    } else if (this.state !== 'closed') {
      this.pending.push({ frame, audio });
      if (this.pending.length > this.options.maxPending) {
        // The oldest audio goes; a control message is never dropped (nor one held beyond the bound).
        const oldest = this.pending.findIndex((entry) => entry.audio);
        if (oldest >= 0) {
          this.pending.splice(oldest, 1);
          this.droppedWhileConnecting++;
        }
      }
    }
  }

  private attach(ws: WebSocket): void {
    if (this.state === 'closed') {
      // Closed while the socket was still being created: terminating a connecting ws emits
      // 'error', which must have a listener or it is an uncaught exception.
      ws.on('error', () => undefined);
      ws.terminate();
      return;
    }
    this.socket = ws;
    this.sender = new BoundedFrameSender(ws, {
      highWaterBytes: UPSTREAM_HIGH_WATER_BYTES,
      maxQueuedFrames: UPSTREAM_MAX_QUEUED_FRAMES,
      onWrite: (seq) => this.log.written(seq),
      // One caller frame per event: a direct write beats cork + tick + writev.
      coalesce: false,
      asciiAudio: true, // realtimeAudioMessage: constant JSON around base64
    });
    ws.on('open', () => {
      this.state = 'setting-up';
      ws.send(JSON.stringify(this.setup));
    });
    // Frames are handled in this turn's batch (TurnBatch), in order; an error (ws reports a protocol
    // error while still reading) or the close first lets the frames delivered before it be handled.
    ws.on('message', (data: Buffer) =>
      serverFrames.defer(GeminiLiveSession.deliverFrame, this, data, undefined),
    );
    ws.on('close', (code: number, reason: Buffer) => {
      serverFrames.flush();
      this.finish({
        code,
        reason: reason.toString('utf8'),
        beforeReady: this.state !== 'ready',
      });
    });
    ws.on('error', (err: Error) => {
      serverFrames.flush();
      this.fail(1006, err.message);
    });
  }

  /** TurnBatch jobs (defined once: no closure per frame). */
  private static readonly deliverFrame: BatchedJob<
    GeminiLiveSession,
    Buffer,
    undefined
  > = (session, data) => session.onFrame(data);

  /** One server frame (from this turn's batch). Never throws. */
  private onFrame(data: Buffer): void {
    if (this.state === 'closed') return;
    let message: LiveServerMessage;
    try {
      message = parseServerMessage(data);
    } catch {
      this.malformedFrames++;
      return; // not a JSON object: nothing to act on
    }
    try {
      this.malformedFrames += readServerEvents(message, this.sink);
    } catch (err) {
      // A listener threw: that ends this connection (and is reported as its close), never the process.
      const text = err instanceof Error ? err.message : String(err);
      this.fail(1011, `fault while handling a server message: ${text}`);
    }
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
    resumption: (handle, lastConsumedIndex) =>
      this.emit('resumption', handle, lastConsumedIndex),
    voiceActivity: (kind) => this.emit('voiceActivity', kind),
    interactionStatus: (status) => this.emit('interactionStatus', status),
    usage: (usage) => this.emit('usage', usage),
  };

  private becomeReady(): void {
    clearTimeout(this.setupTimer);
    this.state = 'ready';
    const queued = this.pending;
    this.pending = [];
    for (const { frame } of queued) this.sender?.sendControl(frame);
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
    this.sender?.close();
    this.rejectReady(
      new Error(`Gemini session closed (${info.code}) ${info.reason}`),
    );
    this.emit('closed', info);
  }
}
