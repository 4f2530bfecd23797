import {
  LiveMessageError,
  parseServerMessage,
  realtimeAudioMessage,
} from './live-messages';

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
});
