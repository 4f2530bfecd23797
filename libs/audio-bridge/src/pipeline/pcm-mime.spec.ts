import { parsePcmRate, SUPPORTED_PCM_RATES } from './pcm-mime';

describe('parsePcmRate', () => {
  it.each([
    ['audio/pcm;rate=24000', 24000],
    ['audio/pcm; rate=16000', 16000],
    ['audio/L16;codec=pcm;rate=48000', 48000],
    ['audio/pcm;rate=22050', 22050],
    ['audio/pcm', 24000],
    ['', 24000],
    [undefined, 24000],
  ])('%p → %i', (mime, rate) => expect(parsePcmRate(mime)).toBe(rate));

  it.each([
    'audio/pcm;rate=10',
    'audio/pcm;rate=999999',
    'audio/pcm;rate=191999',
    'audio/pcm;rate=0',
    'audio/pcm;rate=abc',
    'audio/pcm;rate=',
    'audio/pcm;rate=24000.5',
    'audio/pcm;rate=-24000',
    'audio/mpeg',
    'audio/pcmx;rate=24000',
    'text/plain',
    42,
    {},
  ])('refuses %p with a RangeError', (mime) => {
    expect(() => parsePcmRate(mime)).toThrow(RangeError);
  });

  it('supports the common PCM rates only', () => {
    for (const rate of SUPPORTED_PCM_RATES)
      expect(parsePcmRate(`audio/pcm;rate=${rate}`)).toBe(rate);
  });
});
