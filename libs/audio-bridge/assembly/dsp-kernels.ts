// AssemblyScript source of the audio bridge's WebAssembly kernels (compiled by `npm run build:wasm`).
// Pointers are byte addresses in the module's memory, which the TypeScript side (DspMemory) allocates.
// Coefficient arrays are padded with zeros to a multiple of 4 so every dot product runs in 128-bit lanes.

/** Σ h[j]·x[j] for j < taps (taps a multiple of 4), four lanes at a time. */
// @ts-ignore: decorator
@inline function dot(x: usize, h: usize, taps: i32): f32 {
  let acc = f32x4.splat(0);
  const bytes = <usize>taps << 2;
  for (let j: usize = 0; j < bytes; j += 16) {
    acc = f32x4.add(acc, f32x4.mul(v128.load(x + j), v128.load(h + j)));
  }
  return (
    f32x4.extract_lane(acc, 0) +
    f32x4.extract_lane(acc, 1) +
    (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3))
  );
}

/** Rounds to nearest and saturates to the PCM16 range. */
// @ts-ignore: decorator
@inline function pcm16(y: f32): i16 {
  return <i16>min<f32>(max<f32>(nearest<f32>(y), -32768.0), 32767.0);
}

/** Decimating FIR: one output per window start s = first, first+step, … < end; returns the count. */
export function firStrided(buf: usize, first: i32, end: i32, step: i32, h: usize, taps: i32, out: usize): i32 {
  let o: usize = 0;
  for (let s = first; s < end; s += step) {
    store<i16>(out + (o << 1), pcm16(dot(buf + (<usize>s << 2), h, taps)));
    o++;
  }
  return <i32>o;
}

/** Half-band ×2 interpolator: for each window start s < count, x[s+copyAt] then the interpolated sample. */
export function halfband(buf: usize, count: i32, copyAt: i32, h: usize, taps: i32, out: usize): i32 {
  let o = out;
  for (let s = 0; s < count; s++) {
    const x = buf + (<usize>s << 2);
    store<i16>(o, pcm16(load<f32>(x + (<usize>copyAt << 2))));
    store<i16>(o + 2, pcm16(dot(x, h, taps)));
    o += 4;
  }
  return count << 1;
}

/**
 * Rational polyphase: outputs at positions pos, pos+down, … < limit, in 1/up input samples; branch
 * (pos % up) of `taps` reversed coefficients is applied to the window starting at input pos / up.
 */
export function polyphase(buf: usize, pos: i32, limit: i32, up: i32, down: i32, branches: usize, taps: i32, out: usize): i32 {
  let o: usize = 0;
  const branchBytes = <usize>taps << 2;
  for (; pos < limit; pos += down) {
    const x = buf + (<usize>(pos / up) << 2);
    const h = branches + <usize>(pos % up) * branchBytes;
    store<i16>(out + (o << 1), pcm16(dot(x, h, taps)));
    o++;
  }
  return <i32>o;
}

/** μ-law codes → f32 samples through a 256-entry f32 table. */
export function ulawToF32(codes: usize, count: i32, table: usize, dst: usize): void {
  for (let i: usize = 0; i < <usize>count; i++) {
    store<f32>(dst + (i << 2), load<f32>(table + (<usize>load<u8>(codes + i) << 2)));
  }
}

/** PCM16 → f32, eight samples per step. */
export function i16ToF32(src: usize, count: i32, dst: usize): void {
  let i: usize = 0;
  const n = <usize>count;
  for (; i + 8 <= n; i += 8) {
    const v = v128.load(src + (i << 1));
    v128.store(dst + (i << 2), f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(v)));
    v128.store(dst + (i << 2) + 16, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(v)));
  }
  for (; i < n; i++) store<f32>(dst + (i << 2), <f32>load<i16>(src + (i << 1)));
}

/** f32 → PCM16 (rounded, saturated). */
export function f32ToI16(src: usize, count: i32, dst: usize): void {
  for (let i: usize = 0; i < <usize>count; i++) store<i16>(dst + (i << 1), pcm16(load<f32>(src + (i << 2))));
}

/** PCM16 → μ-law codes through a 65,536-entry table indexed by the sample's 16 bits. */
export function i16ToUlaw(src: usize, count: i32, table: usize, dst: usize): void {
  for (let i: usize = 0; i < <usize>count; i++) {
    store<u8>(dst + i, load<u8>(table + <usize>load<u16>(src + (i << 1))));
  }
}

/** First byte past the module's own static data: where the host's allocator may start. */
export function heapBase(): usize {
  return __heap_base;
}
