import { dspMemory } from './dsp-memory';
import { FilterHistory, Resampler } from './resampler';

/**
 * Integer-factor decimator: a linear-phase low-pass (odd length, symmetric) evaluated only at every
 * `factor`-th input sample. Because the taps are symmetric, each output is a plain dot product of the
 * coefficients with a window of the input, which the WebAssembly `firStrided` kernel runs 4 lanes wide.
 */
export class FirDecimator implements Resampler {
  readonly outRate: number;
  readonly delayMs: number;
  readonly taps: number;
  private readonly paddedTaps: number;
  private readonly coefficients: number;
  private readonly history: FilterHistory;
  /** Index within the next chunk of the first window start that produces an output. */
  private skip = 0;

  constructor(
    readonly inRate: number,
    readonly factor: number,
    h: Float64Array,
    designKey: string,
  ) {
    if (h.length % 2 === 0)
      throw new RangeError('FirDecimator needs an odd number of taps');
    this.outRate = inRate / factor;
    this.taps = h.length;
    this.paddedTaps = Math.ceil(h.length / 4) * 4;
    this.coefficients = dspMemory().constant(designKey, h);
    this.history = new FilterHistory(h.length - 1);
    this.delayMs = ((h.length - 1) / 2 / inRate) * 1000;
  }

  reserve(count: number): number {
    return this.history.reserve(count);
  }

  maxOutput(count: number): number {
    return Math.ceil(count / this.factor);
  }

  commit(count: number, outPtr: number): number {
    const produced = dspMemory().kernels.firStrided(
      this.history.ptr,
      this.skip,
      count,
      this.factor,
      this.coefficients,
      this.paddedTaps,
      outPtr,
    );
    this.skip += produced * this.factor - count;
    this.history.advance(count);
    return produced;
  }

  reset(): void {
    this.history.reset();
    this.skip = 0;
  }

  dispose(): void {
    this.history.dispose();
  }
}
