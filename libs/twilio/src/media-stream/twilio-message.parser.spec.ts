import { parseTwilioMessage } from './twilio-message.parser';
import { TwilioFrameWriter, TwilioMessageError } from './twilio-messages';

const SID = 'MZ0123456789abcdef0123456789abcdef';
const media = {
  track: 'inbound',
  chunk: '1',
  timestamp: '5',
  payload: Buffer.alloc(160, 0xff).toString('base64'),
};

describe('parseTwilioMessage', () => {
  it.each([
    [
      'streamSid last (as Twilio sends it)',
      { event: 'media', sequenceNumber: '2', media, streamSid: SID },
    ],
    [
      'streamSid before media',
      { event: 'media', sequenceNumber: '2', streamSid: SID, media },
    ],
    [
      'other key order (general path)',
      { streamSid: SID, event: 'media', media, sequenceNumber: '2' },
    ],
    ['with spaces (general path)', null],
  ])('parses a media frame: %s', (_, body) => {
    const text = body
      ? JSON.stringify(body)
      : JSON.stringify(
          { event: 'media', sequenceNumber: '2', media, streamSid: SID },
          null,
          1,
        );
    expect(parseTwilioMessage(text)).toEqual({
      event: 'media',
      sequenceNumber: '2',
      streamSid: SID,
      media,
    });
  });

  it('parses start with custom parameters and media format', () => {
    const start = {
      accountSid: 'AC1',
      streamSid: SID,
      callSid: 'CA1',
      tracks: ['inbound'],
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      customParameters: { token: 'abc' },
    };
    expect(
      parseTwilioMessage(
        JSON.stringify({
          event: 'start',
          sequenceNumber: '1',
          streamSid: SID,
          start,
        }),
      ),
    ).toEqual({
      event: 'start',
      sequenceNumber: '1',
      streamSid: SID,
      start,
    });
  });

  it('parses connected, dtmf, mark and stop', () => {
    expect(
      parseTwilioMessage(
        '{"event":"connected","protocol":"Call","version":"1.0.0"}',
      ),
    ).toEqual({
      event: 'connected',
      protocol: 'Call',
      version: '1.0.0',
    });
    expect(
      parseTwilioMessage(
        JSON.stringify({
          event: 'dtmf',
          sequenceNumber: '5',
          streamSid: SID,
          dtmf: { track: 'inbound_track', digit: '7' },
        }),
      ),
    ).toMatchObject({ event: 'dtmf', dtmf: { digit: '7' } });
    expect(
      parseTwilioMessage(
        JSON.stringify({
          event: 'mark',
          sequenceNumber: '6',
          streamSid: SID,
          mark: { name: 'turn-1' },
        }),
      ),
    ).toMatchObject({
      event: 'mark',
      mark: { name: 'turn-1' },
    });
    expect(
      parseTwilioMessage(
        JSON.stringify({
          event: 'stop',
          sequenceNumber: '7',
          streamSid: SID,
          stop: { accountSid: 'AC1', callSid: 'CA1' },
        }),
      ),
    ).toMatchObject({ event: 'stop', stop: { callSid: 'CA1' } });
  });

  it.each([
    ['not JSON', '{"event":', 'not JSON'],
    ['an array', '[1,2]', 'not a JSON object'],
    ['no event', '{}', 'missing event'],
    ['an unknown event', '{"event":"dance"}', 'unknown event "dance"'],
    [
      'media without payload',
      JSON.stringify({
        event: 'media',
        streamSid: SID,
        media: { track: 'inbound' },
      }),
      'media.payload must be a string',
    ],
    [
      'media with object payload',
      JSON.stringify({
        event: 'media',
        streamSid: SID,
        media: { payload: {} },
      }),
      'media.payload must be a string',
    ],
    [
      'start without callSid',
      JSON.stringify({
        event: 'start',
        streamSid: SID,
        start: { mediaFormat: {} },
      }),
      'start.accountSid must be a string',
    ],
    [
      'custom parameter that is not a string',
      JSON.stringify({
        event: 'start',
        streamSid: SID,
        start: {
          accountSid: 'A',
          streamSid: SID,
          callSid: 'C',
          mediaFormat: { encoding: 'x' },
          customParameters: { a: 1 },
        },
      }),
      'start.customParameters.a must be a string',
    ],
  ])('rejects %s with a reason', (_, text, reason) => {
    expect(() => parseTwilioMessage(text)).toThrow(
      new TwilioMessageError(reason),
    );
  });
});

describe('TwilioFrameWriter', () => {
  const writer = new TwilioFrameWriter(SID);

  it('writes media, mark and clear frames that are the JSON Twilio expects', () => {
    expect(JSON.parse(writer.media('AAAA'))).toEqual({
      event: 'media',
      streamSid: SID,
      media: { payload: 'AAAA' },
    });
    expect(JSON.parse(writer.mark('turn "1"'))).toEqual({
      event: 'mark',
      streamSid: SID,
      mark: { name: 'turn "1"' },
    });
    expect(JSON.parse(writer.clear())).toEqual({
      event: 'clear',
      streamSid: SID,
    });
  });
});
