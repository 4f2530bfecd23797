import { dspMemory } from './dsp-memory';

/**
 * The WebAssembly kernels compute four outputs per pass (four accumulators, then a transpose) with a
 * scalar loop for the rest. Both paths must give exactly what the plain definition gives: per output,
 * four f32 lane accumulators over the taps (lane = tap mod 4), summed as (l0 + l1) + (l2 + l3), rounded
 * half to even and saturated to PCM16. This reference does that arithmetic in f32 (Math.fround).
 */
const f = Math.fround;

function dotRef(x: Float32Array, at: number, h: Float32Array): number {
  const lane = [0, 0, 0, 0];
  for (let j = 0; j < h.length; j++)
    lane[j % 4] = f(lane[j % 4] + f(x[at + j] * h[j]));
  return f(f(lane[0] + lane[1]) + f(lane[2] + lane[3]));
}

function pcm16Ref(y: number): number {
  const floor = Math.floor(y);
  const diff = y - floor;
  let r =
    diff > 0.5
      ? floor + 1
      : diff < 0.5
        ? floor
        : floor % 2 === 0
          ? floor
          : floor + 1;
  r = Math.min(32767, Math.max(-32768, r));
  return r === 0 ? 0 : r; // -0 → 0
}

/** Deterministic test data: noise, exact halves (ties), and values beyond PCM16 (saturation). */
function signal(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const r = s / 0x7fffffff;
    x[i] =
      i % 13 === 0
        ? 70000 * (r - 0.5)
        : i % 17 === 0
          ? Math.round(r * 100) + 0.5
          : (r - 0.5) * 40000;
  }
  return x;
}

describe('DSP kernels (WebAssembly) against the lane-exact definition', () => {
  const memory = dspMemory();
  const taps = 28; // a multiple of 4, as the kernels require
  const h = signal(taps, 7).map((v) => v / 400000);
  const hPtr = memory.constant('dsp-kernels.spec', h);
  // Lanes 0 and 1 cancel at ~7e6 (f32 ulp 0.5) over inputs near 10,000; lanes 2 and 3 are small: any
  // other order of the final sums, or of the accumulation, rounds differently (checked by mutation).
  const hCancel = Float32Array.from({ length: taps }, (_, j) =>
    j % 4 === 0 ? 100 : j % 4 === 1 ? -100 : 0.0137 * (1 + j / 10),
  );
  const hCancelPtr = memory.constant('dsp-kernels.spec:cancel', hCancel);
  const near10k = (n: number, seed: number): Float32Array =>
    signal(n, seed).map((v) => 10000 + v / 8000);

  function run<T>(
    input: Float32Array,
    outBytes: number,
    fn: (inPtr: number, outPtr: number) => T,
  ): [T, Int16Array] {
    const inPtr = memory.alloc(input.length * 4 + 64);
    const outPtr = memory.alloc(outBytes);
    try {
      memory.f32.set(input, inPtr >> 2);
      const result = fn(inPtr, outPtr);
      return [
        result,
        new Int16Array(memory.bytes.buffer.slice(outPtr, outPtr + outBytes)),
      ];
    } finally {
      memory.release(inPtr, input.length * 4 + 64);
      memory.release(outPtr, outBytes);
    }
  }

  it.each([0, 1, 3, 4, 5, 7, 8, 160, 163])(
    'halfband: %i windows (blocks of four and the rest)',
    (count) => {
      const copyAt = 13;
      for (const [x, coefficients, ptr] of [
        [signal(count + taps + 4, count + 1), h, hPtr],
        [near10k(count + taps + 4, count + 2), hCancel, hCancelPtr],
      ] as const) {
        const [produced, out] = run(x, Math.max(4, count * 4), (inPtr, out) =>
          memory.kernels.halfband(inPtr, count, copyAt, ptr, taps, out),
        );
        expect(produced).toBe(2 * count);
        const expected: number[] = [];
        for (let s = 0; s < count; s++)
          expected.push(
            pcm16Ref(x[s + copyAt]),
            pcm16Ref(dotRef(x, s, coefficients)),
          );
        expect(Array.from(out.subarray(0, produced))).toEqual(expected);
      }
    },
  );

  it.each([
    [0, 0, 3],
    [0, 3, 3],
    [1, 12, 3],
    [2, 13, 3],
    [0, 960, 3],
    [2, 961, 3],
    [1, 29, 2],
  ])('firStrided: first %i, end %i, step %i', (first, end, step) => {
    for (const [x, coefficients, ptr] of [
      [signal(end + taps + 4, end + step), h, hPtr],
      [near10k(end + taps + 4, end + 1), hCancel, hCancelPtr],
    ] as const) {
      const expected: number[] = [];
      for (let s = first; s < end; s += step)
        expected.push(pcm16Ref(dotRef(x, s, coefficients)));
      const [produced, out] = run(
        x,
        Math.max(8, expected.length * 2),
        (inPtr, outPtr) =>
          memory.kernels.firStrided(inPtr, first, end, step, ptr, taps, outPtr),
      );
      expect(produced).toBe(expected.length);
      expect(Array.from(out.subarray(0, produced))).toEqual(expected);
    }
  });
});
