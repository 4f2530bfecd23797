import {
  frameBytes,
  RECORDING_FORMAT,
  WAV_HEADER_BYTES,
  WAV_MAX_DATA_BYTES,
  wavHeader,
} from './wav-header';

describe('wavHeader', () => {
  it('describes 2-channel 8 kHz 16-bit PCM in the canonical 44 bytes', () => {
    const h = wavHeader(0);
    expect(h.length).toBe(WAV_HEADER_BYTES);
    expect(h.toString('ascii', 0, 4)).toBe('RIFF');
    expect(h.toString('ascii', 8, 12)).toBe('WAVE');
    expect(h.toString('ascii', 12, 16)).toBe('fmt ');
    expect(h.readUInt32LE(16)).toBe(16); // PCM fmt chunk
    expect(h.readUInt16LE(20)).toBe(1); // WAVE_FORMAT_PCM
    expect(h.readUInt16LE(22)).toBe(2); // channels
    expect(h.readUInt32LE(24)).toBe(8000); // Hz
    expect(h.readUInt32LE(28)).toBe(8000 * 4); // bytes per second
    expect(h.readUInt16LE(32)).toBe(4); // block align: 2 channels × 2 bytes
    expect(h.readUInt16LE(34)).toBe(16); // bits per sample
    expect(h.toString('ascii', 36, 40)).toBe('data');
    expect(frameBytes(RECORDING_FORMAT)).toBe(4);
  });

  it('carries the finalized sizes: RIFF = 36 + data, data = bytes of audio', () => {
    const oneMinute = 60 * 8000 * 4;
    const h = wavHeader(oneMinute);
    expect(h.readUInt32LE(4)).toBe(36 + oneMinute);
    expect(h.readUInt32LE(40)).toBe(oneMinute);
    const biggest = wavHeader(WAV_MAX_DATA_BYTES - (WAV_MAX_DATA_BYTES % 4));
    expect(biggest.readUInt32LE(4)).toBeLessThanOrEqual(0xffffffff);
  });

  it('refuses sizes RIFF cannot say or that split a sample frame', () => {
    expect(() => wavHeader(-4)).toThrow(RangeError);
    expect(() => wavHeader(6)).toThrow(RangeError); // 1.5 stereo frames
    expect(() => wavHeader(WAV_MAX_DATA_BYTES + 4)).toThrow(RangeError);
    expect(() => wavHeader(1.5)).toThrow(RangeError);
  });

  it('describes other layouts too (mono 16 kHz)', () => {
    const h = wavHeader(320, {
      channels: 1,
      sampleRate: 16000,
      bitsPerSample: 16,
    });
    expect(h.readUInt16LE(22)).toBe(1);
    expect(h.readUInt32LE(28)).toBe(32000);
    expect(h.readUInt16LE(32)).toBe(2);
  });
});
