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

/**
 * The four lane sums of a, b, c, d as one vector, each added as `dot` adds its lanes, (l0 + l1) +
 * (l2 + l3): a 4×4 transpose, then three adds for all four (so results are bit-identical to `dot`).
 */
// @ts-ignore: decorator
@inline function laneSums(a: v128, b: v128, c: v128, d: v128): v128 {
  const abLo = f32x4.shuffle(a, b, 0, 4, 1, 5); // a0 b0 a1 b1
  const abHi = f32x4.shuffle(a, b, 2, 6, 3, 7); // a2 b2 a3 b3
  const cdLo = f32x4.shuffle(c, d, 0, 4, 1, 5);
  const cdHi = f32x4.shuffle(c, d, 2, 6, 3, 7);
  const l0 = f32x4.shuffle(abLo, cdLo, 0, 1, 4, 5);
  const l1 = f32x4.shuffle(abLo, cdLo, 2, 3, 6, 7);
  const l2 = f32x4.shuffle(abHi, cdHi, 0, 1, 4, 5);
  const l3 = f32x4.shuffle(abHi, cdHi, 2, 3, 6, 7);
  return f32x4.add(f32x4.add(l0, l1), f32x4.add(l2, l3));
}

/**
 * `pcm16` on four lanes, as i32 lanes: rounded to nearest, then saturated by the conversion to i32 and
 * by `i16x8.narrow_i32x4_s` (which every caller stores through), the same as `pcm16`'s clamp.
 */
// @ts-ignore: decorator
@inline function pcm16x4(y: v128): v128 {
  return i32x4.trunc_sat_f32x4_s(f32x4.nearest(y));
}

/**
 * Four dot products with one coefficient array over four windows (x0…x3): four independent
 * accumulators keep the adds from waiting on each other (one accumulator is bound by the add's
 * latency). Returns the four sums as one vector, each exactly as `dot` computes it.
 */
// @ts-ignore: decorator
@inline function dot4(x0: usize, x1: usize, x2: usize, x3: usize, h: usize, taps: i32): v128 {
  let a = f32x4.splat(0);
  let b = f32x4.splat(0);
  let c = f32x4.splat(0);
  let d = f32x4.splat(0);
  const bytes = <usize>taps << 2;
  for (let j: usize = 0; j < bytes; j += 16) {
    const k = v128.load(h + j);
    a = f32x4.add(a, f32x4.mul(v128.load(x0 + j), k));
    b = f32x4.add(b, f32x4.mul(v128.load(x1 + j), k));
    c = f32x4.add(c, f32x4.mul(v128.load(x2 + j), k));
    d = f32x4.add(d, f32x4.mul(v128.load(x3 + j), k));
  }
  return laneSums(a, b, c, d);
}

/** Decimating FIR: one output per window start s = first, first+step, … < end; returns the count. */
export function firStrided(buf: usize, first: i32, end: i32, step: i32, h: usize, taps: i32, out: usize): i32 {
  let o: usize = 0;
  let s = first;
  const stride = <usize>step << 2;
  for (; s + 3 * step < end; s += 4 * step) {
    const x = buf + (<usize>s << 2);
    const y = pcm16x4(dot4(x, x + stride, x + 2 * stride, x + 3 * stride, h, taps));
    store<i64>(out + (o << 1), i64x2.extract_lane(i16x8.narrow_i32x4_s(y, y), 0));
    o += 4;
  }
  for (; s < end; s += step) {
    store<i16>(out + (o << 1), pcm16(dot(buf + (<usize>s << 2), h, taps)));
    o++;
  }
  return <i32>o;
}

/** Half-band ×2 interpolator: for each window start s < count, x[s+copyAt] then the interpolated sample. */
export function halfband(buf: usize, count: i32, copyAt: i32, h: usize, taps: i32, out: usize): i32 {
  let o = out;
  let s = 0;
  for (; s + 4 <= count; s += 4) {
    const x = buf + (<usize>s << 2);
    const copies = pcm16x4(v128.load(x + (<usize>copyAt << 2)));
    const interpolated = pcm16x4(dot4(x, x + 4, x + 8, x + 12, h, taps));
    // c0 c1 c2 c3 i0 i1 i2 i3 → c0 i0 c1 i1 c2 i2 c3 i3
    const both = i16x8.narrow_i32x4_s(copies, interpolated);
    v128.store(o, i16x8.shuffle(both, both, 0, 4, 1, 5, 2, 6, 3, 7));
    o += 16;
  }
  for (; s < count; s++) {
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
