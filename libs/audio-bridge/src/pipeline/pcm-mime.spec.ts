import { parsePcmRate } from './pcm-mime';

describe('parsePcmRate', () => {
  it.each([
    ['audio/pcm;rate=24000', 24000],
    ['audio/pcm; rate=16000', 16000],
    ['audio/L16;codec=pcm;rate=48000', 48000],
    ['audio/pcm', 24000],
    [undefined, 24000],
  ])('%p → %i', (mime, rate) => expect(parsePcmRate(mime)).toBe(rate));

  it('throws on a rate outside 1–192 kHz', () => {
    expect(() => parsePcmRate('audio/pcm;rate=10')).toThrow(RangeError);
    expect(() => parsePcmRate('audio/pcm;rate=999999')).toThrow(RangeError);
  });
});
