import { designLowpass, designHalfband, magnitudeAt } from './fir-design';
import { designMinimaxLowpass, measureLowpass } from './minimax-design';

describe('filter design', () => {
  const spec = {
    rate: 24000,
    passHz: 3400,
    stopHz: 4500,
    attenuationDb: 64,
    passRippleDb: 0.07,
  };

  it('minimax design meets its spec with fewer taps than a Kaiser window', () => {
    const h = designMinimaxLowpass(spec);
    const measured = measureLowpass(h, spec);
    expect(measured.passDeviationDb).toBeLessThanOrEqual(0.07);
    expect(measured.stopAttenuationDb).toBeGreaterThanOrEqual(64);
    expect(h.length).toBeLessThan(designLowpass(spec).length);
    expect(designMinimaxLowpass({ ...spec })).toBe(h); // cached
  });

  it('minimax taps are symmetric (linear phase)', () => {
    const h = designMinimaxLowpass(spec);
    for (let k = 0; k < h.length; k++)
      expect(h[k]).toBeCloseTo(h[h.length - 1 - k], 12);
  });

  it('Kaiser low-pass meets its spec', () => {
    const h = designLowpass(spec);
    const measured = measureLowpass(h, spec);
    expect(measured.passDeviationDb).toBeLessThanOrEqual(0.07);
    expect(measured.stopAttenuationDb).toBeGreaterThanOrEqual(64);
  });

  it('half-band has zero even-offset taps and a 0.5 centre', () => {
    const h = designHalfband({
      rate: 16000,
      passHz: 3400,
      stopHz: 4600,
      attenuationDb: 64,
    });
    const centre = (h.length - 1) / 2;
    expect(h.length % 4).toBe(3);
    expect(h[centre]).toBeCloseTo(0.5, 3);
    for (let k = 2; k <= centre; k += 2) expect(h[centre - k]).toBe(0);
    expect(magnitudeAt(h, 0, 16000)).toBeCloseTo(1, 3);
  });
});
