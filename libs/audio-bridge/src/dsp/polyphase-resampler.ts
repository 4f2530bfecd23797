import { dspMemory } from './dsp-memory';
import { designLowpass, LowpassSpec } from './fir-design';
import { FilterHistory, Resampler } from './resampler';

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Rational L/M resampler for any pair of integer rates: a Kaiser low-pass prototype at inRate·L split
 * into L polyphase branches of P taps (stored reversed and zero-padded to a multiple of 4, so each output
 * is one forward dot product); the WebAssembly `polyphase` kernel picks the branch per output. Used for
 * rates the dedicated fast paths do not cover (e.g. a Gemini mimeType announcing 22050 or 48000 Hz).
 */
export class PolyphaseResampler implements Resampler {
  readonly delayMs: number;
  /** Interpolation factor L and decimation factor M, in lowest terms. */
  readonly up: number;
  readonly down: number;
  private readonly branchTaps: number;
  private readonly paddedTaps: number;
  private readonly branches: number;
  private readonly history: FilterHistory;
  /** Position of the next output, in 1/L input samples from the start of the next chunk's window. */
  private position = 0;

  constructor(
    readonly inRate: number,
    readonly outRate: number,
    spec: Omit<LowpassSpec, 'rate'>,
  ) {
    const g = gcd(inRate, outRate);
    this.up = outRate / g;
    this.down = inRate / g;
    const prototype = designLowpass(
      { ...spec, rate: inRate * this.up },
      this.up,
    );
    const p = Math.ceil(prototype.length / this.up);
    this.branchTaps = p;
    this.paddedTaps = Math.ceil(p / 4) * 4;
    const table = new Float64Array(this.paddedTaps * this.up);
    for (let phase = 0; phase < this.up; phase++) {
      for (let k = 0; k < p; k++) {
        const tap = phase + k * this.up;
        // Branch taps reversed: window index j = p-1-k multiplies input base−k.
        table[phase * this.paddedTaps + (p - 1 - k)] =
          tap < prototype.length ? prototype[tap] * this.up : 0;
      }
    }
    this.branches = dspMemory().constant(
      `polyphase:${inRate}:${outRate}:${spec.passHz}:${spec.stopHz}:${spec.attenuationDb}`,
      table,
    );
    this.history = new FilterHistory(p - 1);
    this.delayMs = ((prototype.length - 1) / 2 / (inRate * this.up)) * 1000;
  }

  reserve(count: number): number {
    return this.history.reserve(count);
  }

  maxOutput(count: number): number {
    return Math.ceil((count * this.up) / this.down) + 1;
  }

  commit(count: number, outPtr: number): number {
    const limit = count * this.up;
    const produced = dspMemory().kernels.polyphase(
      this.history.ptr,
      this.position,
      limit,
      this.up,
      this.down,
      this.branches,
      this.paddedTaps,
      outPtr,
    );
    this.position += produced * this.down - limit;
    this.history.advance(count);
    return produced;
  }

  reset(): void {
    this.history.reset();
    this.position = 0;
  }

  dispose(): void {
    this.history.dispose();
  }
}
