/**
 * G.711 μ-law codec (ITU-T G.711, bit-exact with the G.191 reference `ulaw_compress` / `ulaw_expand`).
 *
 * Both directions are table lookups: 256 entries to expand, 65,536 entries (one per 16-bit PCM value) to
 * compress. The tables are filled at load time from the closed-form segment arithmetic below, which uses
 * `Math.clz32` to find the segment instead of the reference's shift loop; the spec checks every input
 * against a loop-based transcription of the standard.
 */

/** Code for digital silence (PCM 0 → 0xFF). */
export const MULAW_SILENCE = 0xff;

/** Compresses one 16-bit linear PCM sample (−32768…32767) to a μ-law code byte. */
export function mulawEncodeSample(pcm: number): number {
  // G.191 works on 14-bit magnitudes: one's complement for negatives, then bias by 33.
  let magnitude = (pcm < 0 ? ~pcm >> 2 : pcm >> 2) + 33;
  if (magnitude > 0x1fff) magnitude = 0x1fff;
  // Segment 1…8 is one more than the bit length of (magnitude >> 6).
  const segment = 33 - Math.clz32(magnitude >> 6);
  const mantissa = (magnitude >> segment) & 0x0f;
  const code = ((8 - segment) << 4) | (0x0f - mantissa);
  return pcm >= 0 ? code | 0x80 : code;
}

/** Expands one μ-law code byte to 16-bit linear PCM. */
export function mulawDecodeSample(code: number): number {
  const inverted = ~code & 0xff;
  const exponent = (inverted >> 4) & 0x07;
  const mantissa = inverted & 0x0f;
  const step = 4 << (exponent + 1);
  const magnitude = (0x80 << exponent) + step * mantissa + (step >> 1) - 4 * 33;
  return code & 0x80 ? magnitude : -magnitude;
}

function buildDecodeTable(): Int16Array {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) table[code] = mulawDecodeSample(code);
  return table;
}

function buildEncodeTable(): Uint8Array {
  const table = new Uint8Array(65536);
  for (let pcm = -32768; pcm < 32768; pcm++)
    table[pcm & 0xffff] = mulawEncodeSample(pcm);
  return table;
}

/** code → PCM16. */
export const MULAW_DECODE_TABLE: Readonly<Int16Array> = buildDecodeTable();

/** (PCM16 & 0xffff) → code. */
export const MULAW_ENCODE_TABLE: Readonly<Uint8Array> = buildEncodeTable();

/** Decodes `length` codes from `src` into `dst` (PCM16). */
export function mulawDecode(
  src: Uint8Array,
  dst: Int16Array,
  length = src.length,
): void {
  const table = MULAW_DECODE_TABLE;
  for (let i = 0; i < length; i++) dst[i] = table[src[i]];
}

/** Encodes `length` PCM16 samples from `src` into `dst` (μ-law codes). */
export function mulawEncode(
  src: Int16Array,
  dst: Uint8Array,
  length = src.length,
): void {
  const table = MULAW_ENCODE_TABLE;
  for (let i = 0; i < length; i++) dst[i] = table[src[i] & 0xffff];
}
