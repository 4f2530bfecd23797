import { dspMemory } from '../dsp/dsp-memory';
import { DspRegion } from '../dsp/dsp-region';

/** Thrown when an audio payload is not clean base64 (Node's decoder would silently skip bad characters). */
export class InvalidAudioPayloadError extends Error {
  constructor(reason: string) {
    super(`Invalid audio payload: ${reason}`);
    this.name = 'InvalidAudioPayloadError';
  }
}

/** Bytes a base64 string decodes to when every character is valid. */
export function base64DecodedLength(text: string): number {
  let length = text.length;
  if (length > 0 && text.charCodeAt(length - 1) === 61 /* = */) length--;
  if (length > 0 && text.charCodeAt(length - 1) === 61) length--;
  return (length * 3) >> 2;
}

/**
 * A pipeline's I/O buffer in DSP memory: base64 is decoded straight into it and encoded straight out of
 * it, so audio never passes through an intermediate JavaScript buffer.
 */
export class PayloadBuffer {
  private readonly region: DspRegion;

  constructor(capacity: number) {
    this.region = new DspRegion(capacity);
  }

  get ptr(): number {
    return this.region.ptr;
  }

  /** Makes the buffer at least `capacity` bytes, keeping its first `keep` bytes. */
  ensure(capacity: number, keep = 0): void {
    this.region.ensure(capacity, keep);
  }

  /** Decodes `text` at byte `offset` of the buffer; returns the bytes written. Rejects non-base64 input. */
  decodeBase64(text: string, offset = 0): number {
    if (text.length % 4 !== 0) {
      throw new InvalidAudioPayloadError(
        `base64 length ${text.length} is not a multiple of 4`,
      );
    }
    const expected = base64DecodedLength(text);
    this.region.ensure(offset + expected, offset);
    const written = dspMemory().bytes.write(
      text,
      this.region.ptr + offset,
      expected,
      'base64',
    );
    if (written !== expected) {
      throw new InvalidAudioPayloadError(
        `not base64 (decoded ${written} of ${expected} bytes)`,
      );
    }
    return written;
  }

  encodeBase64(byteLength: number): string {
    const start = this.region.ptr;
    return dspMemory().bytes.toString('base64', start, start + byteLength);
  }

  dispose(): void {
    this.region.dispose();
  }
}
