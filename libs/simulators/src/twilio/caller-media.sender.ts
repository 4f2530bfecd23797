import { pcmToMulaw } from '../audio/pcm.util';
import { nowMs } from '../shared/waiters.util';

/** 20 ms of 8 kHz μ-law. */
export const FRAME_SAMPLES = 160;
export const FRAME_MS = 20;
const SILENT_FRAME = Buffer.alloc(FRAME_SAMPLES, 0xff);

interface Frame {
  codes: Buffer;
  /** Set on the last frame of a `queue()` call. */
  done?: () => void;
}

/** Sends one media frame; false when the socket is gone. */
export type FrameSink = (codes: Buffer, timestampMs: number) => boolean;

/** Cuts PCM into 160-sample μ-law frames, padding the last with silence. */
export function toFrames(pcm8k: Int16Array): Buffer[] {
  const frames: Buffer[] = [];
  for (let at = 0; at < pcm8k.length; at += FRAME_SAMPLES) {
    const frame = Buffer.from(SILENT_FRAME);
    pcmToMulaw(pcm8k.subarray(at, at + FRAME_SAMPLES)).copy(frame);
    frames.push(frame);
  }
  return frames;
}

/**
 * The caller's side of the media clock: one frame per 20 ms on an absolute schedule (frame n is due at
 * start + 20n ms and late ticks catch up, so the rate never drifts), taken from the queue or, when idle,
 * a silent frame like Twilio sends while the caller says nothing. Timestamps are the frame's due time.
 */
export class CallerMediaSender {
  private readonly queue: Frame[] = [];
  private startedAt = 0;
  private frameIndex = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly sink: FrameSink,
    private readonly idleSilence: boolean,
  ) {}

  /** Starts the clock; `startedAt` is the stream's time origin (ms, monotonic). */
  start(startedAt: number): void {
    this.startedAt = startedAt;
    this.tick();
  }

  /** ms since the stream started. */
  get elapsedMs(): number {
    return nowMs() - this.startedAt;
  }

  /** Frames waiting to be sent. */
  get queuedFrames(): number {
    return this.queue.length;
  }

  /** Queues audio for paced sending; resolves when its last frame has gone out (or the stream ended). */
  queue8k(pcm8k: Int16Array): Promise<void> {
    const frames = toFrames(pcm8k).map((codes): Frame => ({ codes }));
    if (frames.length === 0 || this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      frames[frames.length - 1].done = resolve;
      this.queue.push(...frames);
    });
  }

  /** Sends audio at once, ahead of the clock (load and fuzz tests). */
  burst(pcm8k: Int16Array): void {
    const timestamp = Math.round(this.elapsedMs);
    for (const codes of toFrames(pcm8k)) this.sink(codes, timestamp);
  }

  /** Stops the clock; queued frames are dropped and their promises resolved. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const frame of this.queue.splice(0)) frame.done?.();
  }

  private tick(): void {
    if (this.stopped) return;
    const now = nowMs();
    while (this.startedAt + this.frameIndex * FRAME_MS <= now) {
      const timestamp = this.frameIndex * FRAME_MS;
      this.frameIndex++;
      const frame = this.queue.shift();
      if (frame) {
        this.sink(frame.codes, timestamp);
        frame.done?.();
      } else if (this.idleSilence) {
        this.sink(SILENT_FRAME, timestamp);
      }
      if (this.stopped) return;
    }
    const due = this.startedAt + this.frameIndex * FRAME_MS;
    this.timer = setTimeout(() => this.tick(), Math.max(0, due - nowMs()));
  }
}
