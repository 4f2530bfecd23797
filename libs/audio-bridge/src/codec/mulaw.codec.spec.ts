import {
  MULAW_DECODE_TABLE,
  MULAW_ENCODE_TABLE,
  MULAW_SILENCE,
  mulawDecode,
  mulawEncode,
} from './mulaw.codec';

/**
 * Transcription of ITU-T G.191 (STL) g711.c `ulaw_compress` for one sample: 16-bit input, 14-bit left
 * justified processing, segment found by a shift loop, inverted code with the sign bit set for x >= 0.
 */
function g191UlawCompress(lin: number): number {
  let absno = lin < 0 ? (~lin >> 2) + 33 : (lin >> 2) + 33;
  if (absno > 0x1fff) absno = 0x1fff;
  let i = absno >> 6;
  let segno = 1;
  while (i !== 0) {
    segno++;
    i >>= 1;
  }
  const highNibble = 0x0008 - segno;
  let lowNibble = (absno >> segno) & 0x000f;
  lowNibble = 0x000f - lowNibble;
  let log = (highNibble << 4) | lowNibble;
  if (lin >= 0) log = log | 0x0080;
  return log;
}

/** Transcription of G.191 g711.c `ulaw_expand` for one code. */
function g191UlawExpand(log: number): number {
  const sign = log < 0x0080 ? -1 : 1;
  let mantissa = ~log;
  const exponent = (mantissa >> 4) & 0x0007;
  const segment = exponent + 1;
  mantissa = mantissa & 0x000f;
  const step = 4 << segment;
  return sign * ((0x0080 << exponent) + step * mantissa + step / 2 - 4 * 33);
}

describe('G.711 μ-law codec', () => {
  it('compresses all 65,536 PCM16 inputs exactly like G.191', () => {
    const pcm = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) pcm[i] = i - 32768;
    const codes = new Uint8Array(65536);
    mulawEncode(pcm, codes);
    let mismatches = 0;
    for (let i = 0; i < 65536; i++) {
      if (codes[i] !== g191UlawCompress(pcm[i])) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('expands all 256 codes exactly like G.191', () => {
    const codes = new Uint8Array(256);
    for (let i = 0; i < 256; i++) codes[i] = i;
    const pcm = new Int16Array(256);
    mulawDecode(codes, pcm);
    for (let code = 0; code < 256; code++) {
      // C shorts have no negative zero: compare as 16-bit integers.
      expect([code, pcm[code]]).toEqual([code, g191UlawExpand(code) | 0]);
    }
  });

  it('is idempotent: every code survives expand → compress', () => {
    for (let code = 0; code < 256; code++) {
      const pcm = MULAW_DECODE_TABLE[code];
      const back = MULAW_ENCODE_TABLE[pcm & 0xffff];
      // 0x7F and 0xFF both expand to 0; G.711 maps 0 to positive zero.
      expect(back).toBe(code === 0x7f ? 0xff : code);
    }
  });

  it('knows the fixed points of the standard', () => {
    expect(MULAW_ENCODE_TABLE[0]).toBe(MULAW_SILENCE);
    expect(MULAW_DECODE_TABLE[0x00]).toBe(-32124);
    expect(MULAW_DECODE_TABLE[0x80]).toBe(32124);
    expect(MULAW_DECODE_TABLE[0xff]).toBe(0);
  });

  it('honours an explicit length', () => {
    const out = new Uint8Array([1, 2, 3]);
    mulawEncode(new Int16Array([0, 0, 0]), out, 2);
    expect(Array.from(out)).toEqual([0xff, 0xff, 3]);
  });
});
