import { dspMemory } from './dsp-memory';
import { designHalfband, LowpassSpec } from './fir-design';
import { FilterHistory, Resampler } from './resampler';

/**
 * ×2 interpolator built on a half-band filter. Every second output is an input sample passed through
 * unchanged (the half-band's centre tap); the other is a symmetric FIR over the last 2K+2 inputs. For
 * 8 kHz → 16 kHz with a 3.4 kHz pass band the band edges are symmetric about 4 kHz, which is exactly the
 * case a half-band filter serves. The loop runs in the WebAssembly `halfband` kernel (4-lane SIMD).
 */
export class HalfbandUpsampler implements Resampler {
  readonly outRate: number;
  readonly delayMs: number;
  /** Length of the underlying half-band filter at the output rate (4K+3). */
  readonly taps: number;
  private readonly half: number;
  private readonly phaseTaps: number;
  private readonly coefficients: number;
  private readonly history: FilterHistory;

  constructor(
    readonly inRate: number,
    spec: Omit<LowpassSpec, 'rate'>,
  ) {
    this.outRate = inRate * 2;
    const h = designHalfband({ ...spec, rate: this.outRate });
    this.taps = h.length;
    const k = (h.length - 3) / 4;
    this.half = k;
    // The interpolating phase: every even-indexed tap, scaled to unity DC gain (symmetric, 2K+2 long).
    const phase = new Float64Array(2 * k + 2);
    let sum = 0;
    for (let i = 0; i < phase.length; i++) sum += phase[i] = h[2 * i];
    for (let i = 0; i < phase.length; i++) phase[i] /= sum;
    this.phaseTaps = Math.ceil(phase.length / 4) * 4;
    this.coefficients = dspMemory().constant(
      `halfband:${spec.passHz}:${spec.stopHz}:${spec.attenuationDb}:${inRate}`,
      phase,
    );
    this.history = new FilterHistory(2 * k + 1);
    this.delayMs = ((k + 1) / inRate) * 1000;
  }

  reserve(count: number): number {
    return this.history.reserve(count);
  }

  maxOutput(count: number): number {
    return 2 * count;
  }

  commit(count: number, outPtr: number): number {
    const produced = dspMemory().kernels.halfband(
      this.history.ptr,
      count,
      this.half,
      this.coefficients,
      this.phaseTaps,
      outPtr,
    );
    this.history.advance(count);
    return produced;
  }

  reset(): void {
    this.history.reset();
  }

  dispose(): void {
    this.history.dispose();
  }
}
