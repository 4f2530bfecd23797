import { MULAW_DECODE_TABLE } from '../codec/mulaw.codec';
import { PlaybackTimeline } from './playback-timeline';
import type { RecordingMeta, RecordingSink } from './recording-sink';
import { RecordingWriter } from './recording-writer';

/** Samples per ms on the recording's clock (8 kHz). */
const PER_MS = 8;
/** Bytes of one stereo 16-bit sample frame. */
const FRAME_BYTES = 4;
/** Caller frames held until rendered (20 ms each: 10 s). */
const CALLER_SLOTS = 512;
/** Caller audio is rendered once the stream's clock is this far past it, even without newer frames (samples: 1 s). */
const CALLER_WAIT = 8000;
/** Caller frames stamped further ahead of this clock are placed at the clock (samples: 10 s). */
const CALLER_AHEAD_MAX = 80_000;
/** Most audio rendered into one chunk for the writer (samples: 1 s, a 32 KB buffer). */
const RENDER_MAX = 8000;
/** Caller frames over which the clock origin may move later (clock drift): 10 s of 20 ms frames. */
const ORIGIN_WINDOW_FRAMES = 500;
/** Largest step earlier a single frame may move the clock origin (ms). */
const ORIGIN_STEP_MAX_MS = 1000;
/** Time between sync marks while fewer than 8 echoes have measured the delay (samples: 0.5 s). */
const SYNC_EVERY_EARLY = 4000;
/** Time between sync marks after that, while the agent is quiet (samples: 5 s). */
const SYNC_EVERY = 40_000;

export interface CallRecorderOptions {
  callSid: string;
  sink: RecordingSink;
  /**
   * Monotonic clock (ms; default performance.now). Its reading at construction (the stream's `start`)
   * is the first guess of where Twilio's media clock reads 0; caller frames refine it.
   */
  now?: () => number;
  /** Wall-clock start of the stream, for the sidecar. Default now. */
  startedAt?: Date;
  /** Rendered audio held while the disk catches up (bytes; default 1 MiB ≈ 32 s of stereo audio). */
  maxBufferedBytes?: number;
  /** Longest wait at the end for the disk to take the backlog, and to publish (ms; default 10 000). */
  finishTimeoutMs?: number;
  /** Agent audio held until it has played (samples at 8 kHz; default 960 000 = 120 s). */
  maxAgentSamples?: number;
  /** The first write error (the recording is failed from then on). */
  onError?: (err: unknown) => void;
}

/** How a call's recording ended, with its sidecar record. */
export interface RecordingResult extends RecordingMeta {
  /** Bytes of the WAV's data chunk. */
  dataBytes: number;
}

/**
 * One call's stereo recording: caller left, agent right, 8 kHz 16-bit, both on Twilio's media clock
 * (the one `media.timestamp` counts in, ms since the stream started), i.e. as the caller had it.
 *
 * The bridge hands it the base64 μ-law payloads it already has (strings: kept by reference, no copy,
 * no decoding on the audio path): `caller(payload, timestamp)` for each Twilio frame, placed at its
 * `media.timestamp`; `agent(payload)` for what it sends to Twilio, placed where it will play
 * (PlaybackTimeline: queued after earlier agent audio, cut by `clear`, delay learnt from marks).
 * `flush()` (the owner's timer, a few times a second) renders the stretch both channels are final for
 * into one interleaved PCM buffer — silence where nobody spoke — and hands it to a RecordingWriter that
 * writes in the background, bounded. `finish()` renders the rest and publishes the file; `done`
 * resolves with the outcome. Nothing here waits on the disk or throws to its caller.
 */
export class CallRecorder {
  /** Resolves once the recording is published or given up; never rejects. */
  readonly done: Promise<RecordingResult>;
  readonly timeline: PlaybackTimeline;
  private readonly writer: RecordingWriter;
  private readonly now: () => number;
  /** Where Twilio's media clock reads 0 on `now`'s clock (ms); see `observeOrigin`. */
  private origin: number;
  private windowLeast = Infinity;
  private windowFrames = 0;
  private lastClock = 0;
  private lastSync = -Infinity;
  private readonly startedAt: Date;
  private readonly callerPayloads: string[] = new Array<string>(CALLER_SLOTS);
  private readonly callerAt = new Float64Array(CALLER_SLOTS);
  private callerHead = 0;
  private callerCount = 0;
  private callerEnd = 0;
  private lateCaller = 0;
  private rendered = 0;
  private scratch = Buffer.alloc(1024);
  private finished = false;
  private settle!: (result: RecordingResult) => void;

  constructor(private readonly options: CallRecorderOptions) {
    this.now = options.now ?? (() => performance.now());
    this.origin = this.now();
    this.startedAt = options.startedAt ?? new Date();
    this.timeline = new PlaybackTimeline(options.maxAgentSamples);
    this.writer = new RecordingWriter(
      options.sink,
      {
        maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
        finishTimeoutMs: options.finishTimeoutMs ?? 10_000,
      },
      options.onError,
    );
    this.done = new Promise((resolve) => (this.settle = resolve));
  }

  /** Rendered audio waiting for the disk (bytes). */
  get bufferedBytes(): number {
    return this.writer.bufferedBytes;
  }

  /** Audio replaced by silence because the disk was too slow, so far (ms). */
  get droppedMs(): number {
    return this.writer.droppedBytes / FRAME_BYTES / PER_MS;
  }

  get failed(): boolean {
    return this.writer.failed;
  }

  /** One caller frame: Twilio's `media.payload` (base64 μ-law) and `media.timestamp` (ms since the stream started). */
  caller(payload: string, timestampMs: number): void {
    if (this.finished) return;
    const arrivedAt = this.now();
    if (Number.isFinite(timestampMs))
      this.observeOrigin(arrivedAt - timestampMs);
    const now = this.clockAt(arrivedAt);
    let at = Number.isFinite(timestampMs)
      ? Math.round(timestampMs * PER_MS)
      : this.callerEnd;
    if (at < 0 || at > now + CALLER_AHEAD_MAX) at = now;
    const length = base64Bytes(payload);
    // Already rendered (it came over a second late): that part cannot be placed any more.
    if (at < this.rendered)
      this.lateCaller += Math.min(length, this.rendered - at);
    if (this.callerCount === CALLER_SLOTS) {
      // Not rendered for 10 s (the flush timer starved): the oldest frame is lost to the recording.
      this.lateCaller += base64Bytes(this.callerPayloads[this.callerHead]);
      this.callerHead = (this.callerHead + 1) % CALLER_SLOTS;
      this.callerCount--;
    }
    const slot = (this.callerHead + this.callerCount++) % CALLER_SLOTS;
    this.callerPayloads[slot] = payload;
    this.callerAt[slot] = at;
    this.callerEnd = Math.max(this.callerEnd, at + length);
  }

  /** Agent audio handed to Twilio now (base64 μ-law 8 kHz, the `media.payload` sent). */
  agent(payload: string): void {
    if (this.finished) return;
    this.timeline.play(this.clock(), payload, base64Bytes(payload));
  }

  /** Twilio `clear` sent now: queued agent audio never plays. */
  clear(): void {
    if (!this.finished) this.timeline.clear(this.clock());
  }

  /** A mark sent to Twilio after the agent audio so far. */
  markSent(name: string): void {
    if (!this.finished) this.timeline.markSent(name, this.clock());
  }

  /** Twilio echoed a mark: the audio before it has played. */
  markPlayed(name: string): void {
    if (!this.finished) this.timeline.markPlayed(name, this.clock());
  }

  /**
   * Whether to send Twilio a sync mark now (the owner then sends it and calls `markSent`): only while
   * nothing is queued, so Twilio echoes it at once and its round trip measures the delay; every 0.5 s
   * until 8 echoes have measured it, then every 5 s (the delay estimate looks at the last 8).
   */
  wantsSyncMark(): boolean {
    if (this.finished) return false;
    const now = this.clock();
    const every =
      this.timeline.observations < 8 ? SYNC_EVERY_EARLY : SYNC_EVERY;
    if (now - this.lastSync < every || this.timeline.playEnd > now)
      return false;
    this.lastSync = now;
    return true;
  }

  /** Renders what is final on both channels and queues it for the disk (the owner's timer). */
  flush(): void {
    if (this.finished) return;
    const now = this.clock();
    const callerFinal = Math.max(this.callerEnd, now - CALLER_WAIT);
    this.renderTo(Math.min(callerFinal, this.timeline.finalUntil(now)));
  }

  /** The call ended: renders the rest, then publishes the file in the background (see `done`). Once. */
  finish(): void {
    if (this.finished) return;
    // The call ended with the caller's last frame (Twilio stops sending when the call is gone); the
    // agent audio after it was never heard. Without caller frames, it ended now.
    const now = this.clock();
    const agentEnd = this.timeline.finish(
      this.callerEnd > 0 ? Math.min(now, this.callerEnd) : now,
    );
    this.renderTo(Math.max(this.callerEnd, agentEnd));
    this.finished = true;
    this.callerPayloads.fill('');
    const meta = (): Omit<RecordingMeta, 'status' | 'error'> => ({
      callSid: this.options.callSid,
      startedAt: this.startedAt.toISOString(),
      durationMs: this.rendered / PER_MS,
      droppedMs: this.droppedMs,
      lateCallerMs: this.lateCaller / PER_MS,
    });
    void this.writer.finish(meta()).then((outcome) =>
      this.settle({
        ...meta(),
        status: outcome.status,
        error: outcome.error,
        dataBytes: outcome.dataBytes,
      }),
    );
  }

  /** Now on Twilio's media clock (samples since its timestamp 0); never goes back. */
  private clock(): number {
    return this.clockAt(this.now());
  }

  private clockAt(ms: number): number {
    const samples = Math.round((ms - this.origin) * PER_MS);
    if (samples > this.lastClock) this.lastClock = samples;
    return this.lastClock;
  }

  /**
   * One caller frame's `arrival − timestamp` (ms): where Twilio's timestamp 0 would fall on this clock
   * had the frame come without delay. Jitter only ever makes a frame later, so the least such value is
   * the origin: it moves earlier at once (at most 1 s per frame, against a bogus timestamp), and later
   * only as the least of each 10 s window, which follows the two clocks drifting apart. Until a frame
   * comes, the origin is when the recorder started (the stream's `start` arrived).
   */
  private observeOrigin(origin: number): void {
    if (origin < this.origin - ORIGIN_STEP_MAX_MS) return;
    if (origin < this.origin) this.origin = origin;
    if (origin < this.windowLeast) this.windowLeast = origin;
    if (++this.windowFrames >= ORIGIN_WINDOW_FRAMES) {
      this.origin = this.windowLeast;
      this.windowLeast = Infinity;
      this.windowFrames = 0;
    }
  }

  /** Renders [rendered, to) in chunks of at most RENDER_MAX samples. */
  private renderTo(to: number): void {
    while (this.rendered < to) {
      const from = this.rendered;
      const until = Math.min(to, from + RENDER_MAX);
      const chunk = this.writer.failed
        ? undefined
        : Buffer.alloc((until - from) * FRAME_BYTES);
      const pcm = chunk
        ? new Int16Array(chunk.buffer, chunk.byteOffset, chunk.length >> 1)
        : undefined;
      this.renderCaller(from, until, pcm);
      this.timeline.forEach(from, until, (payload, skip, at, count) => {
        if (pcm)
          this.decodeInto(pcm, payload, skip, (at - from) * 2 + 1, count);
      });
      this.timeline.commit(until);
      this.rendered = until;
      if (chunk) this.writer.write(chunk);
    }
  }

  /** Caller frames inside [from, until) into the left channel; frames wholly before `until` are let go. */
  private renderCaller(
    from: number,
    until: number,
    pcm: Int16Array | undefined,
  ): void {
    for (let i = 0; i < this.callerCount;) {
      const slot = (this.callerHead + i) % CALLER_SLOTS;
      const payload = this.callerPayloads[slot];
      const start = this.callerAt[slot];
      const length = base64Bytes(payload);
      const at = Math.max(start, from);
      const end = Math.min(start + length, until);
      if (end > at && pcm)
        this.decodeInto(pcm, payload, at - start, (at - from) * 2, end - at);
      if (start + length <= until && i === 0) {
        this.callerPayloads[slot] = '';
        this.callerHead = (this.callerHead + 1) % CALLER_SLOTS;
        this.callerCount--;
      } else {
        i++;
      }
    }
  }

  /** Decodes `count` μ-law samples of `payload` from `skip` into every other slot of `pcm` from `index`. */
  private decodeInto(
    pcm: Int16Array,
    payload: string,
    skip: number,
    index: number,
    count: number,
  ): void {
    const bytes = base64Bytes(payload);
    if (this.scratch.length < bytes)
      this.scratch = Buffer.alloc(Math.max(bytes, this.scratch.length * 2));
    this.scratch.write(payload, 0, 'base64');
    for (let i = 0; i < count; i++, index += 2)
      pcm[index] = MULAW_DECODE_TABLE[this.scratch[skip + i]];
  }
}

/** Decoded length of a base64 string (bytes), from its length and padding alone. */
export function base64Bytes(b64: string): number {
  const n = b64.length;
  if (n === 0) return 0;
  const pad =
    b64.charCodeAt(n - 1) === 61 ? (b64.charCodeAt(n - 2) === 61 ? 2 : 1) : 0;
  return ((n * 3) >> 2) - pad;
}
