import { dspMemory } from './dsp-memory';
import { FirDecimator } from './fir-decimator';
import { HalfbandUpsampler } from './halfband-upsampler';
import { designMinimaxLowpass } from './minimax-design';
import { PolyphaseResampler } from './polyphase-resampler';
import { FilterHistory, Resampler } from './resampler';

/** Stop-band attenuation every resampler is designed for (the quality bar is 60 dB; 4 dB of margin). */
export const RESAMPLER_ATTENUATION_DB = 64;
/** Pass-band deviation the minimax decimators are held to (the bar is ±0.1 dB). */
export const PASS_RIPPLE_DB = 0.07;
/** Flat pass band as a fraction of the lower rate (0.425 × 8 kHz = 3.4 kHz, the telephone band). */
export const PASS_FRACTION = 0.425;
/** Stop band starts here as a fraction of the lower rate (0.5625 × 8 kHz = 4.5 kHz). */
export const STOP_FRACTION = 0.5625;

/** Equal rates: converts to PCM16 and adds no delay. */
class PassThrough implements Resampler {
  readonly delayMs = 0;
  private readonly history = new FilterHistory(0);

  constructor(
    readonly inRate: number,
    readonly outRate: number,
  ) {}

  reserve(count: number): number {
    return this.history.reserve(count);
  }

  maxOutput(count: number): number {
    return count;
  }

  commit(count: number, outPtr: number): number {
    dspMemory().kernels.f32ToI16(this.history.ptr, count, outPtr);
    return count;
  }

  reset(): void {
    this.history.reset();
  }

  dispose(): void {
    this.history.dispose();
  }
}

/**
 * Picks the cheapest structure for a rate pair: ×2 → half-band interpolator, integer ÷M → minimax FIR
 * decimator, anything else → rational polyphase (Kaiser). All keep the band below 0.425 × the lower rate
 * flat and reject from 0.5625 × the lower rate by at least 64 dB.
 */
export function createResampler(inRate: number, outRate: number): Resampler {
  if (
    !Number.isInteger(inRate) ||
    !Number.isInteger(outRate) ||
    inRate <= 0 ||
    outRate <= 0
  ) {
    throw new RangeError(
      `Resampler rates must be positive integers (got ${inRate} → ${outRate})`,
    );
  }
  const lower = Math.min(inRate, outRate);
  const passHz = PASS_FRACTION * lower;
  const spec = {
    passHz,
    stopHz: STOP_FRACTION * lower,
    attenuationDb: RESAMPLER_ATTENUATION_DB,
  };
  if (inRate === outRate) return new PassThrough(inRate, outRate);
  if (outRate === 2 * inRate) {
    // A half-band's transition is symmetric about inRate/2.
    return new HalfbandUpsampler(inRate, { ...spec, stopHz: inRate - passHz });
  }
  if (inRate % outRate === 0) {
    const design = { ...spec, rate: inRate, passRippleDb: PASS_RIPPLE_DB };
    const taps = designMinimaxLowpass(design);
    return new FirDecimator(
      inRate,
      inRate / outRate,
      taps,
      `minimax:${JSON.stringify(design)}`,
    );
  }
  return new PolyphaseResampler(inRate, outRate, spec);
}
