import {
  LiveMessageError,
  parseServerMessage,
  realtimeAudioMessage,
} from './live-messages';
import { readServerEvents, ServerEventSink } from './server-events';

describe('Gemini Live messages', () => {
  it('builds realtimeInput.audio exactly as JSON.stringify would', () => {
    const data = Buffer.from([1, 2, 3, 4]).toString('base64');
    expect(realtimeAudioMessage(data)).toBe(
      JSON.stringify({
        realtimeInput: { audio: { data, mimeType: 'audio/pcm;rate=16000' } },
      }),
    );
  });

  it('parses text and binary server frames alike', () => {
    const body = { serverContent: { turnComplete: true } };
    expect(parseServerMessage(JSON.stringify(body))).toEqual(body);
    expect(parseServerMessage(Buffer.from(JSON.stringify(body)))).toEqual(body);
  });

  it.each(['nope', '[]', 'null', '"text"'])('rejects %p', (frame) => {
    expect(() => parseServerMessage(frame)).toThrow(LiveMessageError);
  });

  it.each([
    ['a string (proto3 JSON int64)', '42', 42, 0],
    ['a number', 42, 42, 0],
    ['absent (no transparent resumption)', undefined, undefined, 0],
    ['malformed (skipped, handle kept)', '4x2', undefined, 1],
  ])(
    'reads lastConsumedClientMessageIndex given as %s',
    (_what, index, expected, skipped) => {
      const got: Array<[string, number | undefined]> = [];
      const sink = {
        resumption: (handle: string, consumed: number | undefined) =>
          got.push([handle, consumed]),
      } as unknown as ServerEventSink;
      const message = parseServerMessage(
        JSON.stringify({
          sessionResumptionUpdate: {
            newHandle: 'h',
            resumable: true,
            lastConsumedClientMessageIndex: index,
          },
        }),
      );
      expect(readServerEvents(message, sink)).toBe(skipped);
      expect(got).toEqual([['h', expected]]);
    },
  );

  describe('agent audio read without JSON.parse', () => {
    const audio = (inlineData: object): string =>
      JSON.stringify({
        serverContent: { modelTurn: { parts: [{ inlineData }] } },
      });
    const data = Buffer.from('agent audio').toString('base64');

    it.each([
      ['mimeType first', audio({ mimeType: 'audio/pcm;rate=24000', data })],
      ['data first', audio({ data, mimeType: 'audio/pcm;rate=24000' })],
      ['empty data', audio({ mimeType: 'audio/pcm;rate=24000', data: '' })],
      ['empty mimeType', audio({ mimeType: '', data })],
    ])(
      'reads the layout with %s as JSON.parse does, without it',
      (_what, text) => {
        const expected: unknown = JSON.parse(text);
        const parse = jest.spyOn(JSON, 'parse');
        try {
          expect(parseServerMessage(Buffer.from(text))).toEqual(expected);
          expect(parse).not.toHaveBeenCalled();
        } finally {
          parse.mockRestore();
        }
      },
    );

    // Every variation of the layout must read exactly as JSON.parse reads it: the fast path either
    // matches the whole frame or steps aside.
    const pieces = [
      '{"serverContent":{"modelTurn":{"parts":[{"inlineData":{"',
      'mimeType":"',
      'audio/pcm;rate=24000',
      '","',
      'data":"',
      data,
      '"}}]}}}',
    ];
    const inserts = [
      '"',
      '\\',
      '\\"',
      '\\/',
      '\\u0041',
      ' ',
      '","data":"',
      '"},"x":"',
      'é',
      '}',
      '',
    ];

    it('agrees with JSON.parse on every one-character edit and insertion of the layout', () => {
      const base = pieces.join('');
      const variants: string[] = [];
      for (let at = 0; at <= base.length; at++) {
        for (const insert of inserts)
          variants.push(base.slice(0, at) + insert + base.slice(at));
        variants.push(base.slice(0, at) + base.slice(at + 1)); // one character removed
      }
      let fastChecked = 0;
      for (const text of variants) {
        let expected: unknown;
        try {
          expected = JSON.parse(text);
        } catch {
          expect(() => parseServerMessage(Buffer.from(text))).toThrow(
            LiveMessageError,
          );
          continue;
        }
        if (typeof expected !== 'object' || expected === null) continue;
        expect(parseServerMessage(Buffer.from(text))).toEqual(expected);
        fastChecked++;
      }
      expect(fastChecked).toBeGreaterThan(100);
    });

    it('hands other server messages to JSON.parse unchanged', () => {
      const mixed = {
        serverContent: {
          modelTurn: {
            parts: [{ inlineData: { mimeType: 'audio/pcm', data } }],
          },
          turnComplete: true,
        },
      };
      const spaced = JSON.stringify(JSON.parse(audio({ data })), null, 1);
      for (const text of [JSON.stringify(mixed), spaced])
        expect(parseServerMessage(Buffer.from(text))).toEqual(JSON.parse(text));
    });
  });
});
