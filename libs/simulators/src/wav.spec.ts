import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcmToMulaw, toneInt16 } from './audio/pcm.util';
import { decodeWav, encodeWav, readWav, writeWav } from './wav';

function mulawWav(rate: number, codes: Buffer): Buffer {
  // 18-byte fmt chunk (cbSize) and a LIST chunk before data, as sox writes them.
  const list = Buffer.from('LIST\x05\x00\x00\x00abcde\x00', 'binary');
  const header = Buffer.alloc(12 + 26);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(4 + 26 + list.length + 8 + codes.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(18, 16);
  header.writeUInt16LE(7, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.writeUInt16LE(0, 36);
  const dataHeader = Buffer.alloc(8);
  dataHeader.write('data', 0, 'ascii');
  dataHeader.writeUInt32LE(codes.length, 4);
  return Buffer.concat([header, list, dataHeader, codes]);
}

describe('wav', () => {
  it('round-trips PCM16 mono through a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wav-'));
    try {
      const samples = toneInt16(24000, 440, 50, 12000);
      writeWav(join(dir, 'a.wav'), 24000, samples);
      const read = readWav(join(dir, 'a.wav'));
      expect(read.rate).toBe(24000);
      expect(Array.from(read.samples)).toEqual(Array.from(samples));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('decodes 8-bit μ-law (format 7) and skips unknown chunks', () => {
    const pcm = new Int16Array([0, 1000, -1000, 32124]);
    const wav = decodeWav(mulawWav(8000, pcmToMulaw(pcm)));
    expect(wav.rate).toBe(8000);
    expect(Array.from(wav.samples)).toEqual([0, 988, -988, 32124]);
  });

  it('averages stereo to mono and rejects other encodings', () => {
    const stereo = encodeWav(8000, new Int16Array([100, 300, -50, -150]));
    stereo.writeUInt16LE(2, 22);
    expect(Array.from(decodeWav(stereo).samples)).toEqual([200, -100]);
    const float = encodeWav(8000, new Int16Array(4));
    float.writeUInt16LE(3, 20);
    expect(() => decodeWav(float)).toThrow(/Unsupported WAV encoding/);
    expect(() => decodeWav(Buffer.from('nope'))).toThrow(/RIFF/);
  });
});
