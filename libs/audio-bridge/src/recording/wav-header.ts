/** Integer PCM layout of a WAV file. */
export interface PcmFormat {
  /** Interleaved channels (1 = mono, 2 = stereo). */
  channels: number;
  /** Samples per second per channel (Hz). */
  sampleRate: number;
  /** Bits per sample (8, 16, 24 or 32). */
  bitsPerSample: number;
}

/** Call recordings: caller left, agent right, 8 kHz, 16-bit little-endian. */
export const RECORDING_FORMAT: Readonly<PcmFormat> = {
  channels: 2,
  sampleRate: 8000,
  bitsPerSample: 16,
};

/** Size of the canonical RIFF/WAVE header (RIFF + `fmt ` + `data` chunk heads), bytes. */
export const WAV_HEADER_BYTES = 44;

/** The most audio one RIFF file can say it holds: its sizes are 32-bit, and RIFF counts 36 header bytes (bytes). */
export const WAV_MAX_DATA_BYTES = 0xffffffff - 36;

/** Bytes of one sample frame (one sample of every channel). */
export function frameBytes(
  format: Readonly<PcmFormat> = RECORDING_FORMAT,
): number {
  return format.channels * (format.bitsPerSample / 8);
}

/**
 * The 44-byte header of a PCM WAV (WAVE_FORMAT_PCM, tag 1) whose `data` chunk holds `dataBytes` bytes.
 * Written with `dataBytes` 0 when a recording opens and rewritten with the real size when it ends.
 * Throws a RangeError for a size RIFF cannot express or one that is not whole sample frames.
 */
export function wavHeader(
  dataBytes: number,
  format: Readonly<PcmFormat> = RECORDING_FORMAT,
): Buffer {
  const blockAlign = frameBytes(format);
  if (
    !Number.isInteger(dataBytes) ||
    dataBytes < 0 ||
    dataBytes > WAV_MAX_DATA_BYTES ||
    dataBytes % blockAlign !== 0
  ) {
    throw new RangeError(
      `WAV data size must be whole ${blockAlign}-byte frames up to ${WAV_MAX_DATA_BYTES} bytes (got ${dataBytes})`,
    );
  }
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  // RIFF size: everything after these 8 bytes ("WAVE" + fmt chunk 24 + data chunk head 8 + data).
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size for PCM
  header.writeUInt16LE(1, 20); // WAVE_FORMAT_PCM
  header.writeUInt16LE(format.channels, 22);
  header.writeUInt32LE(format.sampleRate, 24);
  header.writeUInt32LE(format.sampleRate * blockAlign, 28); // byte rate (bytes/s)
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(format.bitsPerSample, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}
