/** The part of a WebSocket the sender needs (ws's WebSocket fits). */
export interface FrameSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  /** A Buffer is sent as a text frame when `binary` is false (ws: `send(data, { binary })`). */
  send(data: string | Buffer, options?: { binary?: boolean }): void;
}

export interface BoundedSenderOptions {
  /** Above this many bytes buffered in the socket, frames wait in our queue instead. */
  highWaterBytes: number;
  /** Frames the queue holds; beyond it the oldest AUDIO frame is dropped (control frames never are). */
  maxQueuedFrames: number;
  /** How often a waiting queue is retried (ms). */
  retryMs?: number;
  /**
   * Called once per frame at the moment it is handed to the socket, with the tag it was sent with
   * (undefined when untagged). Frames dropped or discarded are never reported. The Gemini connection
   * uses it to number client messages exactly as the server receives them.
   */
  onWrite?: (tag: number | undefined) => void;
  /**
   * Coalesce the writes of one event-loop turn into one system call (default true): worth it where
   * one event writes several frames (an agent chunk and its mark). Where each event writes one
   * frame (caller audio towards Gemini) a direct write is cheaper than cork, tick and writev.
   */
  coalesce?: boolean;
  /**
   * The owner guarantees every audio frame is ASCII (JSON around base64 and ids it checked; a
   * character beyond U+007F would be sent as its low byte, corrupting the frame): audio
   * then goes to the socket as a Buffer copied byte for byte, so ws neither measures nor re-encodes
   * the string as UTF-8, and a masking client frames and masks it into a single buffer (one write).
   */
  asciiAudio?: boolean;
}

/** ws's options for a text frame whose data is a Buffer. */
const TEXT_FRAME = { binary: false } as const;

const OPEN = 1;

interface QueuedFrame {
  data: string;
  droppable: boolean;
  tag?: number;
}

/** A byte stream whose writes can be held and flushed as one (net.Socket, tls.TLSSocket). */
interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * The byte stream under a `ws` WebSocket, if there is one to cork. ws keeps it in `_socket` (set once
 * the connection is open) and has no public accessor; anything else (a test double) has none, and
 * its frames are simply written one by one.
 */
function byteStream(socket: FrameSocket): Corkable | undefined {
  const stream = (socket as { _socket?: Partial<Corkable> | null })._socket;
  return typeof stream?.cork === 'function' &&
    typeof stream.uncork === 'function'
    ? (stream as Corkable)
    : undefined;
}

/**
 * Writes frames to a socket without letting a slow reader grow memory without bound. While the
 * socket's own buffer is below the high-water mark frames go straight through (one property read on
 * the hot path); above it they wait in a bounded FIFO queue, and when that is full the oldest audio
 * frame is dropped and counted. Control frames (marks, clear, tool responses, text notes) are never
 * dropped and never overtake or fall behind audio: the queue is one ordered lane. A frame sent while
 * the socket is not open is discarded (the caller owns any retransmission, e.g. a replay buffer).
 *
 * Unless `coalesce` is false, writes are coalesced per event-loop turn: the first frame of a turn
 * corks the socket's byte stream and a `process.nextTick` uncorks it, so every frame this socket is
 * handed while one event is handled (an agent chunk and its mark) leaves in one system call, with no
 * added delay (the tick runs before the event loop goes on).
 */
export class BoundedFrameSender {
  /** Audio frames dropped because the reader was too slow. */
  dropped = 0;
  private queue: QueuedFrame[] = [];
  private timer?: NodeJS.Timeout;
  /** The stream corked in this turn, uncorked at the next tick. */
  private corked?: Corkable;
  private readonly uncork = (): void => {
    const stream = this.corked;
    this.corked = undefined;
    stream?.uncork();
  };

  constructor(
    private readonly socket: FrameSocket,
    private readonly options: BoundedSenderOptions,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  /** Sends an audio frame (may be dropped under backpressure). */
  sendAudio(data: string, tag?: number): void {
    this.send(data, true, tag);
  }

  /** Sends a control frame (kept in order, never dropped). */
  sendControl(data: string, tag?: number): void {
    this.send(data, false, tag);
  }

  /** Forgets queued audio (e.g. on barge-in: it is stale). Control frames stay. */
  dropQueuedAudio(): void {
    this.queue = this.queue.filter((frame) => !frame.droppable);
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    // Flush what this turn wrote now: the socket's close frame follows, and a socket destroyed
    // before the next tick (a server shutting down terminates its clients) would lose corked bytes.
    this.uncork();
  }

  private send(data: string, droppable: boolean, tag?: number): void {
    const socket = this.socket;
    if (socket.readyState !== OPEN) return;
    if (
      this.queue.length === 0 &&
      socket.bufferedAmount < this.options.highWaterBytes
    ) {
      this.write(data, tag, droppable);
      return;
    }
    this.queue.push({ data, droppable, tag });
    if (this.queue.length > this.options.maxQueuedFrames) this.dropOldest();
    this.timer ??= this.schedule();
  }

  private write(
    data: string,
    tag: number | undefined,
    droppable: boolean,
  ): void {
    if (this.corked === undefined && this.options.coalesce !== false) {
      const stream = byteStream(this.socket);
      if (stream) {
        stream.cork();
        this.corked = stream;
        process.nextTick(this.uncork);
      }
    }
    if (droppable && this.options.asciiAudio) {
      const bytes = Buffer.allocUnsafe(data.length);
      bytes.write(data, 0, 'latin1');
      this.socket.send(bytes, TEXT_FRAME);
    } else this.socket.send(data);
    this.options.onWrite?.(tag);
  }

  private schedule(): NodeJS.Timeout {
    const timer = setTimeout(() => this.flush(), this.options.retryMs ?? 10);
    timer.unref();
    return timer;
  }

  private dropOldest(): void {
    const index = this.queue.findIndex((frame) => frame.droppable);
    if (index < 0) return;
    this.queue.splice(index, 1);
    this.dropped++;
  }

  private flush(): void {
    this.timer = undefined;
    const socket = this.socket;
    if (socket.readyState !== OPEN) {
      this.queue = [];
      return;
    }
    while (
      this.queue.length > 0 &&
      socket.bufferedAmount < this.options.highWaterBytes
    ) {
      const frame = this.queue.shift()!;
      this.write(frame.data, frame.tag, frame.droppable);
    }
    if (this.queue.length > 0) this.timer = this.schedule();
  }
}
