/** Mark echoes the delay estimate looks back over. */
const LAG_WINDOW = 8;
/** Longest delay between handing audio to Twilio and Twilio playing it that is believed (samples: 1 s at 8 kHz). */
const MAX_LAG_SAMPLES = 8000;
/** Marks awaiting their echo that are remembered (oldest forgotten first). */
const MAX_PENDING_MARKS = 256;
/** Dropped-from-the-front segments kept before the arrays are compacted. */
const COMPACT_AFTER = 256;

/** One stretch of agent audio as it plays: `count` samples from `skip` samples into `payload`, at `at`. */
export type SegmentVisitor = (
  payload: string,
  skip: number,
  at: number,
  count: number,
) => void;

/**
 * What the caller actually hears of the agent, as a timeline. All positions are in samples at 8 kHz on
 * the stream's clock (0 = the media stream started, the clock Twilio's `media.timestamp` counts in).
 *
 * Twilio buffers the audio it is sent and plays it in order in real time, so a chunk sent at `now`
 * starts playing when the audio before it has finished, or at `now + lag` when nothing is queued:
 * `start = max(now + lag, end)`, `end = start + samples`. A `clear` drops everything not yet played:
 * audio after `now + lag` is cut (a chunk straddling it is truncated) and `end` comes back to the cut.
 * `lag` is the delay from sending to playing (network both ways plus Twilio's own buffering). Marks
 * measure it: Twilio echoes a mark once the audio before it has played, and the echo arrives on the
 * same clock as the caller's frames, so `echo time − predicted end (without lag)` is one observation;
 * the estimate is the smallest of the last 8 (jitter only ever makes echoes later), clamped to 0–1 s.
 * Marks made moot by a `clear` (Twilio echoes them at once) are not observations. Because every send
 * and every clear is shifted by the same `lag`, the whole schedule shifts with it and queued audio
 * stays contiguous; a new estimate applies from the next chunk that finds the queue empty.
 *
 * Segments keep the payload string they were sent as (base64 μ-law, not decoded here), so scheduling
 * allocates nothing beyond array slots. Nothing before `floor` (already rendered) can change.
 */
export class PlaybackTimeline {
  /** Agent samples scheduled but not stored because the store was full (they play; recorded as silence). */
  droppedSamples = 0;
  private lag = 0;
  private readonly lagSamplesSeen = new Float64Array(LAG_WINDOW);
  private observed = 0;
  private end = 0;
  private floor = 0;
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];
  private readonly payloads: string[] = [];
  private head = 0;
  private stored = 0;
  /** Mark name → predicted end of the audio before it, without lag (samples). */
  private readonly marks = new Map<string, number>();

  /** @param maxStoredSamples the most agent audio held before it is rendered (samples; default 120 s). */
  constructor(private readonly maxStoredSamples = 120 * 8000) {}

  /** Current estimate of the send-to-play delay (samples). */
  get lagSamples(): number {
    return this.lag;
  }

  /** Mark echoes that have measured the delay so far. */
  get observations(): number {
    return this.observed;
  }

  /** Where the agent audio queued at Twilio ends (samples). */
  get playEnd(): number {
    return this.end;
  }

  /** Agent audio held for rendering (samples). */
  get storedSamples(): number {
    return this.stored;
  }

  /** Segments held for rendering. */
  get segments(): number {
    return this.starts.length - this.head;
  }

  /** Nothing before this can change any more: a clear at `now` cuts at `now + lag` (samples). */
  finalUntil(now: number): number {
    return Math.max(now + this.lag, this.floor);
  }

  /** `samples` of agent audio (`payload`) handed to Twilio at `now`; returns where it starts playing. */
  play(now: number, payload: string, samples: number): number {
    const start = Math.max(now + this.lag, this.end, this.floor);
    this.end = start + samples;
    if (samples <= 0) return start;
    if (this.stored + samples > this.maxStoredSamples) {
      this.droppedSamples += samples;
      return start;
    }
    this.starts.push(start);
    this.lengths.push(samples);
    this.payloads.push(payload);
    this.stored += samples;
    return start;
  }

  /** Twilio `clear` sent at `now`: what has not played by `now + lag` never plays. Returns samples cut. */
  clear(now: number): number {
    const removed = this.cut(now + this.lag);
    // Twilio echoes every pending mark at once on a clear: those echoes say nothing about the delay.
    this.marks.clear();
    return removed;
  }

  /** Drops the audio that would play from `at` on (a chunk straddling it is truncated). Returns samples cut. */
  private cut(at: number): number {
    const cut = Math.max(at, this.floor);
    let removed = 0;
    while (this.starts.length > this.head) {
      const last = this.starts.length - 1;
      const start = this.starts[last];
      const length = this.lengths[last];
      if (start >= cut) {
        this.starts.pop();
        this.lengths.pop();
        this.payloads.pop();
        removed += length;
        continue;
      }
      if (start + length > cut) {
        removed += start + length - cut;
        this.lengths[last] = cut - start;
      }
      break;
    }
    this.stored -= removed;
    this.end = Math.min(this.end, cut);
    return removed;
  }

  /** A mark sent at `now`, after the audio queued so far. */
  markSent(name: string, now: number): void {
    if (this.marks.size >= MAX_PENDING_MARKS) {
      const oldest = this.marks.keys().next();
      if (!oldest.done) this.marks.delete(oldest.value);
    }
    this.marks.set(name, Math.max(this.end, now + this.lag) - this.lag);
  }

  /** Twilio echoed mark `name` at `now`: the audio before it has played. Updates the delay estimate. */
  markPlayed(name: string, now: number): void {
    const predicted = this.marks.get(name);
    if (predicted === undefined) return;
    this.marks.delete(name);
    this.lagSamplesSeen[this.observed++ % LAG_WINDOW] = now - predicted;
    let least = Infinity;
    for (let i = 0; i < Math.min(this.observed, LAG_WINDOW); i++)
      least = Math.min(least, this.lagSamplesSeen[i]);
    this.lag = Math.min(MAX_LAG_SAMPLES, Math.max(0, Math.round(least)));
  }

  /** Visits the parts of the stored segments that play inside [from, to), in order. */
  forEach(from: number, to: number, visit: SegmentVisitor): void {
    for (let i = this.head; i < this.starts.length; i++) {
      const start = this.starts[i];
      if (start >= to) break;
      const at = Math.max(start, from);
      const until = Math.min(start + this.lengths[i], to);
      if (until > at) visit(this.payloads[i], at - start, at, until - at);
    }
  }

  /** Everything before `to` has been rendered: it is final, and segments that end by then are let go. */
  commit(to: number): void {
    this.floor = Math.max(this.floor, to);
    while (
      this.head < this.starts.length &&
      this.starts[this.head] + this.lengths[this.head] <= this.floor
    ) {
      this.stored -= this.lengths[this.head];
      this.payloads[this.head] = '';
      this.head++;
    }
    if (this.head >= COMPACT_AFTER || this.head === this.starts.length) {
      this.starts.splice(0, this.head);
      this.lengths.splice(0, this.head);
      this.payloads.splice(0, this.head);
      this.head = 0;
    }
  }

  /**
   * The call ended at `at` on the caller's timeline (the end of the caller's last frame): audio that
   * would have played after it was never heard. Returns where the played agent audio ends.
   */
  finish(at: number): number {
    this.cut(at);
    this.marks.clear();
    return this.end;
  }
}
