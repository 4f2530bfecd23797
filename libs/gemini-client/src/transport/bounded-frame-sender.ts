/** The part of a WebSocket the sender needs (ws's WebSocket fits). */
export interface FrameSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string): void;
}

export interface BoundedSenderOptions {
  /** Above this many bytes buffered in the socket, frames wait in our queue instead. */
  highWaterBytes: number;
  /** Frames the queue holds; beyond it the oldest droppable frame is dropped. */
  maxQueuedFrames: number;
  /** How often a waiting queue is retried (ms). */
  retryMs?: number;
}

const OPEN = 1;

/**
 * Writes audio frames to a socket without letting a slow reader grow memory without bound. While the
 * socket's own buffer is below the high-water mark frames go straight through (one property read on
 * the hot path); above it they wait in a bounded queue, and when that is full the oldest audio is
 * dropped and counted. Control frames (marks, clear) are never dropped, so ordering stays meaningful.
 */
export class BoundedFrameSender {
  /** Audio frames dropped because the reader was too slow. */
  dropped = 0;
  private queue: Array<{ data: string; droppable: boolean }> = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly socket: FrameSocket,
    private readonly options: BoundedSenderOptions,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  /** Sends an audio frame (may be dropped under backpressure). */
  sendAudio(data: string): void {
    this.send(data, true);
  }

  /** Sends a control frame (kept in order, never dropped). */
  sendControl(data: string): void {
    this.send(data, false);
  }

  /** Forgets queued audio (e.g. on barge-in: it is stale). Control frames stay. */
  dropQueuedAudio(): void {
    this.queue = this.queue.filter((frame) => !frame.droppable);
  }

  close(): void {
    clearTimeout(this.timer);
    this.queue = [];
  }

  private send(data: string, droppable: boolean): void {
    const socket = this.socket;
    if (socket.readyState !== OPEN) return;
    if (
      this.queue.length === 0 &&
      socket.bufferedAmount < this.options.highWaterBytes
    ) {
      socket.send(data);
      return;
    }
    this.queue.push({ data, droppable });
    if (this.queue.length > this.options.maxQueuedFrames) this.dropOldest();
    this.timer ??= this.schedule();
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
      socket.send(this.queue.shift()!.data);
    }
    if (this.queue.length > 0)
      this.timer = setTimeout(() => this.flush(), this.options.retryMs ?? 10);
  }
}
