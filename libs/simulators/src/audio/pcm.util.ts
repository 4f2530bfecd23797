import { MULAW_DECODE_TABLE, MULAW_ENCODE_TABLE } from '@app/audio-bridge';

/** A sine tone as PCM16. */
export function toneInt16(
  rate: number,
  hz: number,
  ms: number,
  amplitude = 8000,
): Int16Array {
  const count = Math.round((rate * ms) / 1000);
  const out = new Int16Array(count);
  const step = (2 * Math.PI * hz) / rate;
  for (let i = 0; i < count; i++)
    out[i] = Math.round(amplitude * Math.sin(step * i));
  return out;
}

/** Root mean square of `samples[start, end)`; 0 for an empty range. */
export function rmsInt16(
  samples: Int16Array,
  start = 0,
  end = samples.length,
): number {
  if (end <= start) return 0;
  let sum = 0;
  for (let i = start; i < end; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / (end - start));
}

/** Joins PCM chunks into one array. */
export function concatInt16(chunks: readonly Int16Array[]): Int16Array {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const out = new Int16Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** PCM16 → base64 of its little-endian bytes. */
export function int16ToBase64(samples: Int16Array): string {
  const bytes = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++)
    bytes.writeInt16LE(samples[i], i * 2);
  return bytes.toString('base64');
}

/** Base64 little-endian PCM16 → samples (a trailing odd byte is dropped). */
export function base64ToInt16(data: string): Int16Array {
  const bytes = Buffer.from(data, 'base64');
  const out = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
}

/** PCM16 → μ-law code bytes. */
export function pcmToMulaw(samples: Int16Array): Buffer {
  const out = Buffer.alloc(samples.length);
  for (let i = 0; i < samples.length; i++)
    out[i] = MULAW_ENCODE_TABLE[samples[i] & 0xffff];
  return out;
}

/** μ-law code bytes → PCM16. */
export function mulawToPcm(codes: Uint8Array): Int16Array {
  const out = new Int16Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = MULAW_DECODE_TABLE[codes[i]];
  return out;
}

/** Least-squares amplitude of the `hz` component of `x` (sampled at `rate`) over [from, to). */
export function toneAmplitude(
  x: ArrayLike<number>,
  hz: number,
  rate: number,
  from = 0,
  to = x.length,
): number {
  let ss = 0;
  let cc = 0;
  let sc = 0;
  let xs = 0;
  let xc = 0;
  for (let i = from; i < to; i++) {
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
