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
});
