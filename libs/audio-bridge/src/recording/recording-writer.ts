import type { RecordingMeta, RecordingSink } from './recording-sink';
import { WAV_MAX_DATA_BYTES, wavHeader } from './wav-header';

/** Silence is written from this shared zero buffer, a slice at a time (bytes). */
const ZEROS = Buffer.alloc(64 * 1024);

/** Limits of one writer. */
export interface RecordingWriterLimits {
  /** Rendered audio held while the disk catches up; beyond it, new audio becomes silence (bytes). */
  maxBufferedBytes: number;
  /** Longest wait for the backlog to drain, and for each of `finish`/`abort`, at the end (ms). */
  finishTimeoutMs: number;
}

/** What `finish` reports. */
export interface WriterOutcome {
  status: RecordingMeta['status'];
  /** Bytes in the WAV's data chunk (audio and silence). */
  dataBytes: number;
  /** Bytes of audio replaced by silence (disk too slow, or past the WAV size limit). */
  droppedBytes: number;
  error?: string;
}

type Entry = Buffer | number;

/**
 * Writes one recording's PCM to its sink in order, one write at a time, without ever making its
 * producer wait: `write` only queues. The queue is bounded: while it is full, audio handed over is
 * replaced by an equal run of silence (a number in the queue, no memory), so the file stays aligned in
 * time and memory stays flat whatever the disk does; the recording is then `partial`. A sink that
 * rejects makes it `failed`: the queue is let go and everything after is ignored. A sink that never
 * settles is given up at `finish` after `finishTimeoutMs`. Nothing here rejects or throws.
 */
export class RecordingWriter {
  private readonly queue: Entry[] = [];
  private buffered = 0;
  private accepted = 0;
  private dropped = 0;
  private pumping = false;
  private opened = false;
  private failure?: string;
  private idle?: () => void;

  constructor(
    private readonly sink: RecordingSink,
    private readonly limits: RecordingWriterLimits,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** Rendered audio waiting for the disk (bytes). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Bytes accepted into the data chunk so far (audio and silence). */
  get dataBytes(): number {
    return this.accepted;
  }

  get droppedBytes(): number {
    return this.dropped;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Queues `chunk` (whole stereo frames) for the file; never waits. The writer owns `chunk` now. */
  write(chunk: Buffer): void {
    if (this.failure !== undefined || chunk.length === 0) return;
    if (this.accepted + chunk.length > WAV_MAX_DATA_BYTES) {
      this.dropped += chunk.length; // a WAV cannot say it holds more; the rest is not recorded
      return;
    }
    this.accepted += chunk.length;
    if (this.buffered + chunk.length > this.limits.maxBufferedBytes) {
      this.dropped += chunk.length;
      this.silence(chunk.length);
    } else {
      this.queue.push(chunk);
      this.buffered += chunk.length;
    }
    this.pump();
  }

  /**
   * Drains what is queued (within `finishTimeoutMs`), then publishes the file with its final header
   * and `meta` (status filled in here), or aborts it. Resolves with the outcome; never rejects.
   */
  async finish(
    meta: Omit<RecordingMeta, 'status' | 'error'>,
  ): Promise<WriterOutcome> {
    this.pump();
    if (this.failure === undefined && this.pumping) {
      const drained = new Promise<boolean>((resolve) => {
        this.idle = () => resolve(true);
      });
      if (!(await within(drained, this.limits.finishTimeoutMs)))
        this.fail(
          new Error(
            `the disk did not take the recording within ${this.limits.finishTimeoutMs} ms`,
          ),
        );
    }
    const outcome = (): WriterOutcome => ({
      status:
        this.failure !== undefined
          ? 'failed'
          : this.dropped > 0
            ? 'partial'
            : 'complete',
      dataBytes: this.accepted,
      droppedBytes: this.dropped,
      error: this.failure,
    });
    if (this.failure === undefined) {
      try {
        const published = this.sink.finish(wavHeader(this.accepted), {
          ...meta,
          status: outcome().status,
        });
        if (!(await within(published, this.limits.finishTimeoutMs)))
          throw new Error(
            `publishing the recording took over ${this.limits.finishTimeoutMs} ms`,
          );
        return outcome();
      } catch (err) {
        this.fail(err);
      }
    }
    try {
      await within(
        this.sink.abort({ ...meta, status: 'failed', error: this.failure }),
        this.limits.finishTimeoutMs,
      );
    } catch {
      // Nothing more to do: the failure is already counted and logged.
    }
    return outcome();
  }

  private silence(bytes: number): void {
    const last = this.queue.length - 1;
    const tail = this.queue[last];
    // The head may be in flight; merge only into a silence run behind it.
    if (last > 0 && typeof tail === 'number') this.queue[last] = tail + bytes;
    else this.queue.push(bytes);
  }

  private pump(): void {
    if (this.pumping || this.failure !== undefined) return;
    this.pumping = true;
    void this.drain();
  }

  /** The one writing loop: open once, then each entry in order. Never rejects. */
  private async drain(): Promise<void> {
    try {
      if (!this.opened) {
        await this.sink.open(wavHeader(0));
        this.opened = true;
      }
      while (this.queue.length > 0 && this.failure === undefined) {
        const head = this.queue[0];
        if (typeof head === 'number') {
          const bytes = Math.min(head, ZEROS.length);
          await this.sink.append(ZEROS.subarray(0, bytes));
          const left = (this.queue[0] as number) - bytes;
          if (left > 0) this.queue[0] = left;
          else this.queue.shift();
        } else {
          await this.sink.append(head);
          this.queue.shift();
          this.buffered -= head.length;
        }
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.pumping = false;
      const idle = this.idle;
      this.idle = undefined;
      idle?.();
    }
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err instanceof Error ? err.message : String(err);
    this.queue.length = 0;
    this.buffered = 0;
    try {
      this.onError(err);
    } catch {
      // The observer must not break the writer.
    }
  }
}

/** True when `promise` settles (fulfilled) within `ms`, false when it does not; rejects as it does. */
function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  return Promise.race([promise.then(() => true), late]).finally(() =>
    clearTimeout(timer),
  );
}
