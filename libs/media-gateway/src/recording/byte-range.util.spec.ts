import { parseByteRange } from './byte-range.util';

describe('parseByteRange', () => {
  it('reads one range of the three forms', () => {
    expect(parseByteRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseByteRange('bytes=900-', 1000)).toEqual({
      start: 900,
      end: 999,
    });
    expect(parseByteRange('bytes=-100', 1000)).toEqual({
      start: 900,
      end: 999,
    });
    expect(parseByteRange('bytes=990-5000', 1000)).toEqual({
      start: 990,
      end: 999,
    });
    expect(parseByteRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
  });

  it('416 for ranges past the end', () => {
    expect(parseByteRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseByteRange('bytes=-0', 1000)).toBe('unsatisfiable');
    expect(parseByteRange('bytes=0-', 0)).toBe('unsatisfiable');
  });

  it('the whole file for no, malformed, multiple or other-unit ranges', () => {
    for (const header of [
      undefined,
      'bytes=5-1',
      'bytes=-',
      'bytes=0-1,5-9',
      'items=0-1',
      'bytes=a-b',
    ])
      expect(parseByteRange(header, 1000)).toBeUndefined();
  });
});
