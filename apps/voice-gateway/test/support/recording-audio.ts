import { toneAmplitude } from '@app/simulators';

/** A recording as the tests read it: its format fields and its two channels (8 kHz samples). */
export interface StereoWav {
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** The data chunk's size as the header states it (bytes). */
  dataBytes: number;
  left: Int16Array;
  right: Int16Array;
}

/** Parses the canonical 44-byte-header PCM WAV the recorder writes (and checks that it is one). */
export function parseStereoWav(wav: Buffer): StereoWav {
  if (wav.toString('ascii', 0, 4) !== 'RIFF') throw new Error('not RIFF');
  if (wav.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not WAVE');
  if (wav.toString('ascii', 36, 40) !== 'data') throw new Error('no data');
  if (wav.readUInt32LE(4) !== wav.length - 8)
    throw new Error('RIFF size does not match the file');
  const channels = wav.readUInt16LE(22);
  const dataBytes = wav.readUInt32LE(40);
  const frames = Math.floor(dataBytes / 4);
  const left = new Int16Array(frames);
  const right = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    left[i] = wav.readInt16LE(44 + i * 4);
    right[i] = wav.readInt16LE(44 + i * 4 + 2);
  }
  return {
    channels,
    sampleRate: wav.readUInt32LE(24),
    bitsPerSample: wav.readUInt16LE(34),
    dataBytes,
    left,
    right,
  };
}

/** First time (ms, 8 kHz) at or after `fromMs` where |x| exceeds `threshold`; undefined if never. */
export function onsetMs(
  x: Int16Array,
  fromMs = 0,
  threshold = 1500,
): number | undefined {
  for (let i = Math.round(fromMs * 8); i < x.length; i++)
    if (Math.abs(x[i]) > threshold) return i / 8;
  return undefined;
}

/** Last time (ms) before which |x| exceeded `threshold` (the end of the last sound). */
export function offsetMs(x: Int16Array, threshold = 1500): number | undefined {
  for (let i = x.length - 1; i >= 0; i--)
    if (Math.abs(x[i]) > threshold) return (i + 1) / 8;
  return undefined;
}

/** Samples (ms) where |x| exceeds `threshold`, in total. */
export function loudMs(x: Int16Array, threshold = 1500): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (Math.abs(x[i]) > threshold) n++;
  return n / 8;
}

/** Amplitude of an `hz` tone in x between two times (ms) at 8 kHz. */
export function toneBetween(
  x: Int16Array,
  hz: number,
  fromMs: number,
  toMs: number,
): number {
  return toneAmplitude(
    x,
    hz,
    8000,
    Math.round(fromMs * 8),
    Math.round(toMs * 8),
  );
}

/** Largest |sample| of x outside the given [from, to) windows (ms). */
export function peakOutside(
  x: Int16Array,
  windows: Array<[number, number]>,
): number {
  let peak = 0;
  for (let i = 0; i < x.length; i++) {
    const ms = i / 8;
    if (windows.some(([from, to]) => ms >= from && ms < to)) continue;
    peak = Math.max(peak, Math.abs(x[i]));
  }
  return peak;
}

/** The stretches (ms) where |x| exceeds `threshold`, split by quiet gaps of at least `gapMs`. */
export function stretches(
  x: Int16Array,
  gapMs = 50,
  threshold = 1500,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const gap = gapMs * 8;
  let start = -1;
  let last = -gap - 1;
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i]) <= threshold) continue;
    if (start >= 0 && i - last > gap) {
      out.push([start / 8, (last + 1) / 8]);
      start = -1;
    }
    if (start < 0) start = i;
    last = i;
  }
  if (start >= 0) out.push([start / 8, (last + 1) / 8]);
  return out;
}
