import { toneAmplitude } from '@app/simulators';

/** Signal measurements for the audio benchmark: tones, least-squares amplitude, delay by correlation. */

/** Processes one chunk of PCM16 and returns what the resampler produced for it. */
export type ChunkProcessor = (chunk: Int16Array) => Int16Array;

export function tone(
  hz: number,
  rate: number,
  count: number,
  amplitude = 16000,
): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
  }
  return out;
}

/** Feeds `input` through `process` in chunks of `chunk` samples; returns everything it produced. */
export function runChunked(
  process: ChunkProcessor,
  input: Int16Array,
  chunk: number,
): Float64Array {
  const parts: Int16Array[] = [];
  let total = 0;
  for (let start = 0; start < input.length; start += chunk) {
    const out = process(
      input.subarray(start, Math.min(input.length, start + chunk)),
    );
    parts.push(out.slice());
    total += out.length;
  }
  const all = new Float64Array(total);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

/** Least-squares amplitude of the `hz` component of `x` (sampled at `rate`) from index `from` on. */
export function amplitudeAt(
  x: ArrayLike<number>,
  hz: number,
  rate: number,
  from = 0,
): number {
  return toneAmplitude(x, hz, rate, from);
}

export function rms(x: ArrayLike<number>, from = 0): number {
  let sum = 0;
  for (let i = from; i < x.length; i++) sum += x[i] * x[i];
  return Math.sqrt(sum / Math.max(1, x.length - from));
}

export const db = (ratio: number): number => 20 * Math.log10(ratio);

/**
 * Added delay in ms: a band-limited multi-tone goes in, and the lag (in output samples) at which the
 * output best matches the same tones generated directly at the output rate is the delay.
 */
export function measureDelayMs(
  process: ChunkProcessor,
  inRate: number,
  outRate: number,
  chunk: number,
): number {
  const tones = [310, 730, 1170, 1930, 2610, 3130];
  const seconds = 1;
  const make = (rate: number, lag: number): Float64Array => {
    const n = Math.round(rate * seconds);
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (const f of tones)
        x[i] += 2500 * Math.sin((2 * Math.PI * f * (i - lag)) / rate);
    }
    return x;
  };
  const input = Int16Array.from(make(inRate, 0), Math.round);
  const output = runChunked(process, input, chunk);
  const reference = make(outRate, 0);
  let best = 0;
  let bestScore = -Infinity;
  for (let lag = 0; lag < outRate * 0.02; lag++) {
    let score = 0;
    for (
      let i = Math.round(outRate * 0.1);
      i < output.length - lag && i < reference.length - lag;
      i++
    ) {
      score += output[i + lag] * reference[i];
    }
    if (score > bestScore) {
      bestScore = score;
      best = lag;
    }
  }
  return (best / outRate) * 1000;
}
