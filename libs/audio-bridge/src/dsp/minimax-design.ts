import { LowpassSpec } from './fir-design';

/** A low-pass spec with a pass-band ripple bound, for the minimax design. */
export interface MinimaxSpec extends LowpassSpec {
  /** Largest allowed pass-band deviation from 0 dB, in dB. */
  passRippleDb: number;
}

const GRID_PER_TAP = 16;
const LAWSON_ITERATIONS = 60;

/** Worst pass-band deviation (dB) and least stop-band attenuation (dB) of `h`, on a 1/4000-of-rate grid. */
export function measureLowpass(
  h: Float64Array,
  spec: LowpassSpec,
): { passDeviationDb: number; stopAttenuationDb: number } {
  let passDeviationDb = 0;
  let stopAttenuationDb = Infinity;
  const step = spec.rate / 4000;
  for (let f = 0; f <= spec.rate / 2; f += step) {
    if (f > spec.passHz && f < spec.stopHz) continue;
    const w = (2 * Math.PI * f) / spec.rate;
    let re = 0;
    let im = 0;
    for (let k = 0; k < h.length; k++) {
      re += h[k] * Math.cos(w * k);
      im -= h[k] * Math.sin(w * k);
    }
    const gainDb = 20 * Math.log10(Math.hypot(re, im));
    if (f <= spec.passHz)
      passDeviationDb = Math.max(passDeviationDb, Math.abs(gainDb));
    else stopAttenuationDb = Math.min(stopAttenuationDb, -gainDb);
  }
  return { passDeviationDb, stopAttenuationDb };
}

/** Solves the dense system `m · x = rhs` (m is (n)×(n+1), augmented) by Gaussian elimination with pivoting. */
function solve(m: Float64Array[], n: number): Float64Array {
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++)
      if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let q = c; q <= n; q++) m[r][q] -= f * m[c][q];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let q = r + 1; q < n; q++) s -= m[r][q] * x[q];
    x[r] = s / m[r][r];
  }
  return x;
}

/**
 * Linear-phase (type I) low-pass of `taps` coefficients close to the weighted Chebyshev optimum, by
 * Lawson's iteratively reweighted least squares: each round solves a weighted least-squares fit on a dense
 * grid, then raises the weight where the error is largest, which drives the error towards equiripple.
 */
export function lawsonLowpass(taps: number, spec: MinimaxSpec): Float64Array {
  const half = (taps - 1) / 2;
  const unknowns = half + 1;
  const wp = (2 * Math.PI * spec.passHz) / spec.rate;
  const ws = (2 * Math.PI * spec.stopHz) / spec.rate;
  const deltaPass = Math.pow(10, spec.passRippleDb / 20) - 1;
  const deltaStop = Math.pow(10, -spec.attenuationDb / 20);
  const total = GRID_PER_TAP * taps;
  const passPoints = Math.max(
    8,
    Math.round((total * wp) / (wp + Math.PI - ws)),
  );
  const grid: { basis: Float64Array; desired: number; weight: number }[] = [];
  const addBand = (
    from: number,
    to: number,
    points: number,
    desired: number,
    weight: number,
  ): void => {
    for (let i = 0; i < points; i++) {
      const w = from + ((to - from) * i) / (points - 1);
      const basis = new Float64Array(unknowns);
      basis[0] = 1;
      for (let k = 1; k <= half; k++) basis[k] = 2 * Math.cos(k * w);
      grid.push({ basis, desired, weight });
    }
  };
  addBand(0, wp, passPoints, 1, 1);
  addBand(ws, Math.PI, total - passPoints, 0, deltaPass / deltaStop);

  const lawson = new Float64Array(grid.length).fill(1 / grid.length);
  let a: Float64Array = new Float64Array(unknowns);
  for (let iteration = 0; iteration < LAWSON_ITERATIONS; iteration++) {
    const m = Array.from(
      { length: unknowns },
      () => new Float64Array(unknowns + 1),
    );
    grid.forEach(({ basis, desired, weight }, i) => {
      const w = lawson[i] * weight * weight;
      for (let p = 0; p < unknowns; p++) {
        const bp = w * basis[p];
        for (let q = p; q < unknowns; q++) m[p][q] += bp * basis[q];
        m[p][unknowns] += bp * desired;
      }
    });
    for (let p = 0; p < unknowns; p++)
      for (let q = 0; q < p; q++) m[p][q] = m[q][p];
    a = solve(m, unknowns);
    let sum = 0;
    grid.forEach(({ basis, desired, weight }, i) => {
      let response = 0;
      for (let k = 0; k < unknowns; k++) response += basis[k] * a[k];
      lawson[i] *= Math.abs(weight * (response - desired));
      sum += lawson[i];
    });
    for (let i = 0; i < lawson.length; i++) lawson[i] /= sum;
  }
  const h = new Float64Array(taps);
  for (let k = 0; k <= half; k++) h[half + k] = h[half - k] = a[k];
  return h;
}

const designs = new Map<string, Float64Array>();

/**
 * The shortest odd-length minimax low-pass that meets `spec` (checked on a fine grid), starting from
 * Kaiser's length estimate for equiripple filters. Designs are cached per spec: a process designs each
 * rate pair once.
 */
export function designMinimaxLowpass(spec: MinimaxSpec): Float64Array {
  const key = JSON.stringify(spec);
  const cached = designs.get(key);
  if (cached) return cached;
  const deltaPass = Math.pow(10, spec.passRippleDb / 20) - 1;
  const deltaStop = Math.pow(10, -spec.attenuationDb / 20);
  const transition = (spec.stopHz - spec.passHz) / spec.rate;
  const estimate =
    (-10 * Math.log10(deltaPass * deltaStop) - 13) / (14.6 * transition) + 1;
  for (let taps = Math.floor(estimate) | 1; taps < 4 * estimate; taps += 2) {
    const h = lawsonLowpass(taps, spec);
    const { passDeviationDb, stopAttenuationDb } = measureLowpass(h, spec);
    if (
      passDeviationDb <= spec.passRippleDb &&
      stopAttenuationDb >= spec.attenuationDb
    ) {
      designs.set(key, h);
      return h;
    }
  }
  throw new RangeError(`No minimax low-pass meets ${key}`);
}
