import { amplitude } from '../testing/signal.test-helper';
import { dspMemory } from './dsp-memory';
import { createResampler } from './create-resampler';
import { FirDecimator } from './fir-decimator';
import { HalfbandUpsampler } from './halfband-upsampler';
import { PolyphaseResampler } from './polyphase-resampler';
import { resampleInt16, Resampler } from './resampler';

function noise(count: number, seed = 3): Int16Array {
  const out = new Int16Array(count);
  let s = seed;
  for (let i = 0; i < count; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = ((s >>> 8) % 40000) - 20000;
  }
  return out;
}

function tone(
  hz: number,
  rate: number,
  seconds: number,
  amplitude = 16000,
): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++)
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}

/** Runs `input` through a fresh resampler in chunks of the given sizes (cycled). */
function chunked(
  inRate: number,
  outRate: number,
  input: Int16Array,
  sizes: number[],
): Int16Array {
  const r = createResampler(inRate, outRate);
  const parts: number[] = [];
  for (let at = 0, i = 0; at < input.length; i++) {
    const n = Math.min(sizes[i % sizes.length], input.length - at);
    parts.push(...resampleInt16(r, input.subarray(at, at + n)));
    at += n;
  }
  r.dispose();
  return Int16Array.from(parts);
}

const db = (r: number): number => 20 * Math.log10(r);

describe('streaming resamplers', () => {
  const pairs: Array<[number, number, string]> = [
    [8000, 16000, 'HalfbandUpsampler'],
    [24000, 8000, 'FirDecimator'],
    [48000, 16000, 'FirDecimator'],
    [16000, 8000, 'FirDecimator'],
    [22050, 8000, 'PolyphaseResampler'],
    [8000, 24000, 'PolyphaseResampler'],
    [16000, 16000, 'PassThrough'],
  ];

  it.each(pairs)('%i → %i picks %s', (inRate, outRate, kind) => {
    const r = createResampler(inRate, outRate);
    expect(r.constructor.name).toBe(kind);
    r.dispose();
  });

  it.each(pairs)(
    '%i → %i: chunked output equals one-shot output sample for sample',
    (inRate, outRate) => {
      const input = noise(inRate / 2);
      const once = chunked(inRate, outRate, input, [input.length]);
      const pieces = chunked(
        inRate,
        outRate,
        input,
        [1, 7, 160, 3, 960, 2, 333],
      );
      expect(pieces.length).toBe(once.length);
      expect(Buffer.from(pieces.buffer).equals(Buffer.from(once.buffer))).toBe(
        true,
      );
      expect(once.length).toBe(Math.round((input.length * outRate) / inRate));
    },
  );

  it('decimator matches a direct float64 convolution within 1 LSB', () => {
    const r = createResampler(24000, 8000) as FirDecimator;
    const taps = (r as unknown as { coefficients: number }).coefficients;
    const h = dspMemory().f32.slice(taps >> 2, (taps >> 2) + r.taps);
    const input = noise(2400);
    const out = resampleInt16(r, input);
    for (let m = 0; m < out.length; m++) {
      let acc = 0;
      for (let k = 0; k < h.length; k++) {
        const i = 3 * m - k;
        if (i >= 0) acc += h[k] * input[i];
      }
      const expected = Math.max(-32768, Math.min(32767, Math.round(acc)));
      expect(Math.abs(out[m] - expected)).toBeLessThanOrEqual(1);
    }
    r.dispose();
  });

  it('half-band interpolator passes every input sample through unchanged, delayed', () => {
    const r = createResampler(8000, 16000) as HalfbandUpsampler;
    const input = noise(800);
    const out = resampleInt16(r, input);
    const delay = Math.round((r.delayMs / 1000) * 8000);
    for (let n = delay; n < input.length; n++)
      expect(out[2 * n]).toBe(input[n - delay]);
    r.dispose();
  });

  describe('quality (the bar: ≥60 dB rejection, ±0.1 dB to 3.4 kHz)', () => {
    it.each([4500, 5000, 6000, 8000, 11000])(
      '24k→8k rejects a %i Hz tone by ≥ 60 dB',
      (hz) => {
        const y = chunked(24000, 8000, tone(hz, 24000, 0.5), [960]);
        let energy = 0;
        for (let i = 200; i < y.length; i++) energy += y[i] * y[i];
        const residue = Math.sqrt(energy / (y.length - 200));
        expect(
          db(16000 / Math.SQRT2 / Math.max(residue, 1e-9)),
        ).toBeGreaterThanOrEqual(60);
      },
    );

    it.each([300, 1000, 3000, 3400])(
      '%i Hz passes both directions within ±0.1 dB, images ≥ 60 dB down',
      (hz) => {
        const down = chunked(24000, 8000, tone(hz, 24000, 0.5), [960]);
        expect(
          Math.abs(db(amplitude(down, hz, 8000, 200) / 16000)),
        ).toBeLessThanOrEqual(0.1);
        const up = chunked(8000, 16000, tone(hz, 8000, 0.5), [160]);
        expect(
          Math.abs(db(amplitude(up, hz, 16000, 400) / 16000)),
        ).toBeLessThanOrEqual(0.1);
        expect(
          db(16000 / amplitude(up, 8000 - hz, 16000, 400)),
        ).toBeGreaterThanOrEqual(60);
      },
    );

    it('polyphase path keeps a 1 kHz tone at level (22.05k → 8k)', () => {
      const y = chunked(22050, 8000, tone(1000, 22050, 0.5), [441]);
      expect(
        Math.abs(db(amplitude(y, 1000, 8000, 200) / 16000)),
      ).toBeLessThanOrEqual(0.1);
    });

    it.each([
      [8000, 16000],
      [24000, 8000],
    ])('%i → %i adds ≤ 5 ms of delay', (inRate, outRate) => {
      const r: Resampler = createResampler(inRate, outRate);
      expect(r.delayMs).toBeLessThanOrEqual(5);
      r.dispose();
    });
  });

  it('returns its memory on dispose and reuses it', () => {
    const memory = dspMemory();
    const warm = createResampler(24000, 8000);
    warm.dispose();
    const before = memory.allocatedBytes;
    const many = Array.from({ length: 50 }, () => createResampler(24000, 8000));
    for (const r of many) resampleInt16(r, noise(960));
    expect(memory.allocatedBytes).toBeGreaterThan(before);
    for (const r of many) r.dispose();
    expect(memory.allocatedBytes).toBe(before);
  });

  it('rejects rates that are not positive integers', () => {
    expect(() => createResampler(0, 8000)).toThrow(RangeError);
    expect(() => createResampler(24000.5, 8000)).toThrow(RangeError);
  });

  it('reset forgets history', () => {
    const r = createResampler(24000, 8000);
    const input = noise(960);
    const first = resampleInt16(r, input);
    resampleInt16(r, noise(960, 9));
    r.reset();
    expect(Array.from(resampleInt16(r, input))).toEqual(Array.from(first));
    r.dispose();
  });
});

describe('PolyphaseResampler', () => {
  it('reduces the ratio to lowest terms', () => {
    const r = createResampler(22050, 8000) as PolyphaseResampler;
    expect([r.up, r.down]).toEqual([160, 441]);
    r.dispose();
  });
});
