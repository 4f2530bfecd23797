import { readFileSync, writeFileSync } from 'node:fs';
import { mulawToPcm } from './audio/pcm.util';

/** Decoded mono audio. */
export interface WavAudio {
  rate: number;
  samples: Int16Array;
}

const FORMAT_PCM = 1;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

interface FmtChunk {
  format: number;
  channels: number;
  rate: number;
  bitsPerSample: number;
}

function readFmt(buf: Buffer, at: number): FmtChunk {
  let format = buf.readUInt16LE(at);
  // WAVE_FORMAT_EXTENSIBLE keeps the real format in the first two bytes of its sub-format GUID.
  if (format === FORMAT_EXTENSIBLE) format = buf.readUInt16LE(at + 24);
  return {
    format,
    channels: buf.readUInt16LE(at + 2),
    rate: buf.readUInt32LE(at + 4),
    bitsPerSample: buf.readUInt16LE(at + 14),
  };
}

/** Averages interleaved channels into one. */
function downmix(interleaved: Int16Array, channels: number): Int16Array {
  if (channels === 1) return interleaved;
  const frames = Math.floor(interleaved.length / channels);
  const out = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[f * channels + c];
    out[f] = Math.round(sum / channels);
  }
  return out;
}

function decodeData(fmt: FmtChunk, data: Buffer): Int16Array {
  if (fmt.format === FORMAT_PCM && fmt.bitsPerSample === 16) {
    const samples = new Int16Array(data.length >> 1);
    for (let i = 0; i < samples.length; i++)
      samples[i] = data.readInt16LE(i * 2);
    return samples;
  }
  if (fmt.format === FORMAT_MULAW && fmt.bitsPerSample === 8)
    return mulawToPcm(data);
  throw new Error(
    `Unsupported WAV encoding: format ${fmt.format}, ${fmt.bitsPerSample} bits (want PCM16 or μ-law)`,
  );
}

/** Parses a RIFF/WAVE file holding PCM16 or 8-bit μ-law (format 7); several channels are averaged. */
export function decodeWav(buf: Buffer): WavAudio {
  if (
    buf.length < 12 ||
    buf.toString('ascii', 0, 4) !== 'RIFF' ||
    buf.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw new Error('Not a RIFF/WAVE file');
  }
  let fmt: FmtChunk | undefined;
  let at = 12;
  while (at + 8 <= buf.length) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') fmt = readFmt(buf, body);
    if (id === 'data') {
      if (!fmt) throw new Error('WAV data chunk before fmt chunk');
      const end = Math.min(buf.length, body + size);
      const samples = decodeData(fmt, buf.subarray(body, end));
      return { rate: fmt.rate, samples: downmix(samples, fmt.channels) };
    }
    at = body + size + (size & 1);
  }
  throw new Error('WAV file has no data chunk');
}

/** Reads a WAV file from disk (see `decodeWav`). */
export function readWav(path: string): WavAudio {
  return decodeWav(readFileSync(path));
}

/** A mono PCM16 WAV file image. */
export function encodeWav(rate: number, samples: Int16Array): Buffer {
  const dataBytes = samples.length * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(FORMAT_PCM, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++)
    buf.writeInt16LE(samples[i], 44 + i * 2);
  return buf;
}

/** Writes a mono PCM16 WAV file. */
export function writeWav(
  path: string,
  rate: number,
  samples: Int16Array,
): void {
  writeFileSync(path, encodeWav(rate, samples));
}
