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

/** Deterministic noise in [-1, 1). */
function noise(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    x[i] = (s / 0x7fffffff) * 2 - 1;
  }
  return x;
}

const TAPS = 28; // a multiple of 4, as the kernels require

/**
 * Inputs and coefficients that expose a wrong kernel: each case's data is deterministic.
 * - `speech`: ordinary levels, with exact halves (ties round to even) among them;
 * - `loud`: inputs and sums far beyond ±32767.5 on both the copy and the filter path (saturation);
 * - `cancel`: lanes 0 and 1 cancel at ~7e6 (f32 ulp 0.5) over inputs near 10,000: the final lane
 *   sums in any other pairing round differently;
 * - `ulp`: inputs of ±2^24 beside 1 and 0.5 under unit coefficients: adding the lanes left to right,
 *   ((l0 + l1) + l2) + l3, loses the 0.5 that (l0 + l1) + (l2 + l3) keeps.
 */
const DATASETS: Record<
  string,
  { x: (n: number, seed: number) => Float32Array; h: Float32Array }
> = {
  speech: {
    x: (n, seed) =>
      noise(n, seed).map((v, i) =>
        i % 17 === 0 ? Math.round(v * 100) + 0.5 : v * 20000,
      ),
    h: noise(TAPS, 7).map((v) => v / 8),
  },
  loud: {
    x: (n, seed) => noise(n, seed).map((v) => v * 90000),
    h: noise(TAPS, 11).map((v) => v * 2),
  },
  cancel: {
    x: (n, seed) => noise(n, seed).map((v) => 10000 + v * 2.5),
    h: Float32Array.from({ length: TAPS }, (_, j) =>
      j % 4 === 0 ? 100 : j % 4 === 1 ? -100 : 0.0137 * (1 + j / 10),
    ),
  },
  ulp: {
    x: (n) =>
      Float32Array.from(
        { length: n },
        (_, i) => [2 ** 24, -(2 ** 24), 1, 0.5, 3, -(2 ** 24)][i % 6],
      ),
    h: new Float32Array(TAPS).fill(1),
  },
};

describe('DSP kernels (WebAssembly) against the lane-exact definition', () => {
  const memory = dspMemory();
  const coefficients = Object.fromEntries(
    Object.entries(DATASETS).map(([name, { h }]) => [
      name,
      memory.constant(`dsp-kernels.spec:${name}`, h),
    ]),
  );
  /** Bytes after the output region that must stay untouched. */
  const GUARD = 32;
  const SENTINEL = 0xa5;

  /**
   * Runs a kernel on `input` with an output region of `outBytes` followed by GUARD sentinel bytes;
   * returns what it returned and the output's PCM16 samples, after checking the guard is intact.
   */
  function run(
    input: Float32Array,
    outBytes: number,
    fn: (inPtr: number, outPtr: number) => number,
  ): [number, Int16Array] {
    const inSize = input.length * 4 + 64;
    const outSize = outBytes + GUARD;
    const inPtr = memory.alloc(inSize);
    const outPtr = memory.alloc(outSize);
    try {
      memory.f32.set(input, inPtr >> 2);
      memory.bytes.fill(SENTINEL, outPtr, outPtr + outSize);
      const result = fn(inPtr, outPtr);
      const bytes = memory.bytes;
      const past = bytes.subarray(outPtr + outBytes, outPtr + outSize);
      expect(past.every((b) => b === SENTINEL)).toBe(true);
      return [
        result,
        new Int16Array(bytes.buffer.slice(outPtr, outPtr + outBytes)),
      ];
    } finally {
      memory.release(inPtr, inSize);
      memory.release(outPtr, outSize);
    }
  }

  describe.each(Object.keys(DATASETS))('%s data', (name) => {
    const { x: make, h } = DATASETS[name];
    const hPtr = coefficients[name];

    it('halfband: every count from 0 to 12, and 160 and 163 (blocks of four and the rest)', () => {
      for (const count of [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 160, 163,
      ]) {
        for (const copyAt of [0, 13]) {
          const x = make(count + TAPS + 4, count + 1);
          const [produced, out] = run(x, count * 4, (inPtr, outPtr) =>
            memory.kernels.halfband(inPtr, count, copyAt, hPtr, TAPS, outPtr),
          );
          const expected: number[] = [];
          for (let s = 0; s < count; s++)
            expected.push(pcm16Ref(x[s + copyAt]), pcm16Ref(dotRef(x, s, h)));
          expect([count, copyAt, produced, Array.from(out)]).toEqual([
            count,
            copyAt,
            2 * count,
            expected,
          ]);
        }
      }
    });

    it('firStrided: every step 1–6, first below the step, end up to 9 outputs past first (every remainder)', () => {
      let checked = 0;
      for (let step = 1; step <= 6; step++) {
        for (let first = 0; first < step; first++) {
          for (let end = first; end <= first + 9 * step + 2; end++) {
            const x = make(end + TAPS + 4, end * 7 + step);
            const expected: number[] = [];
            for (let s = first; s < end; s += step)
              expected.push(pcm16Ref(dotRef(x, s, h)));
            const [produced, out] = run(
              x,
              expected.length * 2,
              (inPtr, outPtr) =>
                memory.kernels.firStrided(
                  inPtr,
                  first,
                  end,
                  step,
                  hPtr,
                  TAPS,
                  outPtr,
                ),
            );
            expect([step, first, end, produced, Array.from(out)]).toEqual([
              step,
              first,
              end,
              expected.length,
              expected,
            ]);
            checked++;
          }
        }
      }
      expect(checked).toBe(882);
    });

    it('firStrided over a 40 ms chunk (960 inputs, step 3)', () => {
      const x = make(961 + TAPS + 4, 960);
      const expected: number[] = [];
      for (let s = 2; s < 961; s += 3) expected.push(pcm16Ref(dotRef(x, s, h)));
      const [produced, out] = run(x, expected.length * 2, (inPtr, outPtr) =>
        memory.kernels.firStrided(inPtr, 2, 961, 3, hPtr, TAPS, outPtr),
      );
      expect(produced).toBe(expected.length);
      expect(Array.from(out)).toEqual(expected);
    });
  });

  it('the data sets reach what they are for: saturation both ways, and ties', () => {
    const loud = DATASETS.loud.x(200, 3);
    const sums = Array.from({ length: 150 }, (_, s) =>
      dotRef(loud, s, DATASETS.loud.h),
    );
    expect(
      sums.some((y) => y > 32767.5) && sums.some((y) => y < -32768.5),
    ).toBe(true);
    expect(
      loud.some((v) => v > 32767.5) && loud.some((v) => v < -32768.5),
    ).toBe(true);
    const speech = DATASETS.speech.x(200, 3);
    expect(speech.some((v) => v - Math.floor(v) === 0.5)).toBe(true);
  });
});
