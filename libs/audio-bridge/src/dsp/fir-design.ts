/**
 * Kaiser-window FIR low-pass design (Kaiser & Schafer). Pure math, run once per resampler at construction.
 */

/** What a low-pass must do, in Hz at the rate the filter runs at. */
export interface LowpassSpec {
  /** Sample rate the filter runs at (for an interpolator: the output rate). */
  rate: number;
  /** Highest frequency that must pass flat. */
  passHz: number;
  /** Lowest frequency that must be rejected by `attenuationDb`. */
  stopHz: number;
  /** Stop-band attenuation in dB (the Kaiser window also holds the pass-band ripple to this level). */
  attenuationDb: number;
}

/** Zeroth-order modified Bessel function of the first kind (power series). */
export function besselI0(x: number): number {
  const half = x / 2;
  let term = 1;
  let sum = 1;
  for (let k = 1; term > sum * 1e-16; k++) {
    term *= (half / k) * (half / k);
    sum += term;
  }
  return sum;
}

/** Kaiser's β for a stop-band attenuation in dB. */
export function kaiserBeta(attenuationDb: number): number {
  const a = attenuationDb;
  if (a > 50) return 0.1102 * (a - 8.7);
  if (a >= 21) return 0.5842 * Math.pow(a - 21, 0.4) + 0.07886 * (a - 21);
  return 0;
}

/** Kaiser's estimate of the number of taps for a spec (always odd: a whole-sample group delay). */
export function kaiserLength(spec: LowpassSpec): number {
  const transition = (2 * Math.PI * (spec.stopHz - spec.passHz)) / spec.rate;
  const taps =
    Math.ceil((spec.attenuationDb - 7.95) / (2.285 * transition)) + 1;
  return taps | 1;
}

/**
 * Windowed-sinc low-pass with `taps` coefficients and cutoff `cutoff` (cycles per sample, 0…0.5),
 * normalised to unity DC gain.
 */
export function windowedSinc(
  taps: number,
  cutoff: number,
  beta: number,
): Float64Array {
  const h = new Float64Array(taps);
  const centre = (taps - 1) / 2;
  const i0Beta = besselI0(beta);
  let sum = 0;
  for (let k = 0; k < taps; k++) {
    const t = k - centre;
    const sinc =
      t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
    const r = centre === 0 ? 0 : t / centre;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    h[k] = sinc * window;
    sum += h[k];
  }
  for (let k = 0; k < taps; k++) h[k] /= sum;
  return h;
}

/** A Kaiser low-pass meeting `spec`, cutoff midway through the transition band. */
export function designLowpass(spec: LowpassSpec, minTaps = 1): Float64Array {
  const taps = Math.max(kaiserLength(spec), minTaps | 1);
  const cutoff = (spec.passHz + spec.stopHz) / 2 / spec.rate;
  return windowedSinc(taps, cutoff, kaiserBeta(spec.attenuationDb));
}

/**
 * A half-band low-pass (cutoff at a quarter of `spec.rate`, every second tap zero) long enough for a
 * transition from `spec.passHz` to `rate/2 − passHz`. Length is 4K+3 so the centre tap is odd and the
 * non-zero side taps come in 2K+2 symmetric pairs.
 */
export function designHalfband(spec: LowpassSpec): Float64Array {
  let taps = kaiserLength(spec);
  while (taps % 4 !== 3) taps++;
  const h = windowedSinc(taps, 0.25, kaiserBeta(spec.attenuationDb));
  const centre = (taps - 1) / 2;
  // Force the exact half-band structure the interpolator relies on.
  for (let k = 0; k < taps; k++) {
    if (k !== centre && (k - centre) % 2 === 0) h[k] = 0;
  }
  return h;
}

/** Magnitude response |H(f)| of `h` at `hz` for a filter running at `rate`. */
export function magnitudeAt(h: Float64Array, hz: number, rate: number): number {
  const w = (2 * Math.PI * hz) / rate;
  let re = 0;
  let im = 0;
  for (let k = 0; k < h.length; k++) {
    re += h[k] * Math.cos(w * k);
    im -= h[k] * Math.sin(w * k);
  }
  return Math.hypot(re, im);
}
