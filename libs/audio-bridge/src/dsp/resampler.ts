import { dspMemory } from './dsp-memory';
import { DspRegion } from './dsp-region';

/**
 * Streaming resamplers share one shape. State (the last inputs the filter still needs, and the output
 * phase) lives in DSP memory and is carried across calls, so feeding a signal in chunks gives the same
 * samples as feeding it at once. The caller writes new input samples (f32) straight after the history —
 * `reserve` says where in `dspMemory().f32` — then `commit` filters them into PCM16 at a byte address.
 */
export interface Resampler {
  readonly inRate: number;
  readonly outRate: number;
  /** Group delay added by the filter, in milliseconds. */
  readonly delayMs: number;
  /** Makes room for `count` new input samples; returns their index in `dspMemory().f32`. */
  reserve(count: number): number;
  /** Filters the `count` samples written after `reserve(count)`; writes PCM16 at `outPtr`; returns how many. */
  commit(count: number, outPtr: number): number;
  /** Upper bound of the outputs `commit(count)` can produce. */
  maxOutput(count: number): number;
  /** Forgets all history (e.g. after a barge-in flush). */
  reset(): void;
  /** Returns its memory; the resampler must not be used afterwards. */
  dispose(): void;
}

/** Spare f32 slots after the data so zero-padded coefficient vectors may read past the last sample. */
const SPARE = 8;

/**
 * A filter's input buffer in DSP memory: [last `history` inputs | new chunk | spare]. After each chunk the
 * tail moves to the front with one copyWithin, so kernels read flat windows with no wrap-around.
 */
export class FilterHistory {
  private readonly region: DspRegion;

  constructor(
    readonly history: number,
    initialCapacity = 1024,
  ) {
    this.region = new DspRegion((history + initialCapacity + SPARE) * 4);
  }

  /** Byte address of the buffer start (oldest history sample). */
  get ptr(): number {
    return this.region.ptr;
  }

  /** Makes room for `count` new samples; returns their f32 index. */
  reserve(count: number): number {
    this.region.ensure((this.history + count + SPARE) * 4, this.history * 4);
    return (this.region.ptr >> 2) + this.history;
  }

  /** Keeps the last `history` samples of the `count` just filtered as the next chunk's history. */
  advance(count: number): void {
    const base = this.region.ptr >> 2;
    dspMemory().f32.copyWithin(base, base + count, base + count + this.history);
  }

  reset(): void {
    const base = this.region.ptr >> 2;
    dspMemory().f32.fill(0, base, base + this.region.size / 4);
  }

  dispose(): void {
    this.region.dispose();
  }
}

/** Feeds PCM16 through a resampler and returns a copy of its output (tests, tools, non-hot-path callers). */
export function resampleInt16(
  resampler: Resampler,
  input: Int16Array,
): Int16Array {
  const memory = dspMemory();
  const out = new DspRegion(Math.max(2, resampler.maxOutput(input.length) * 2));
  try {
    const index = resampler.reserve(input.length);
    memory.f32.set(input, index);
    const produced = resampler.commit(input.length, out.ptr);
    return new Int16Array(
      memory.bytes.buffer.slice(out.ptr, out.ptr + produced * 2),
    );
  } finally {
    out.dispose();
  }
}
