/** Signal measurements shared by this library's specs (not part of the public surface). */

/** Least-squares amplitude of the `hz` component of `x` (sampled at `rate`), ignoring the first `skip`. */
export function amplitude(
  x: ArrayLike<number>,
  hz: number,
  rate: number,
  skip = 0,
): number {
  let ss = 0;
  let cc = 0;
  let sc = 0;
  let xs = 0;
  let xc = 0;
  for (let i = skip; i < x.length; i++) {
    const w = (2 * Math.PI * hz * i) / rate;
    const s = Math.sin(w);
    const c = Math.cos(w);
    ss += s * s;
    cc += c * c;
    sc += s * c;
    xs += x[i] * s;
    xc += x[i] * c;
  }
  const det = ss * cc - sc * sc;
  return Math.hypot((xs * cc - xc * sc) / det, (xc * ss - xs * sc) / det);
}

/** A PCM16 sine. */
export function sine(
  hz: number,
  rate: number,
  count: number,
  peak = 16000,
): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++)
    out[i] = Math.round(peak * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}

export const db = (ratio: number): number => 20 * Math.log10(ratio);
