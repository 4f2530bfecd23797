import { parseTwiml } from './twiml.parser';

describe('parseTwiml', () => {
  it('finds the Connect/Stream url and its parameters', () => {
    const twiml = `<?xml version="1.0" encoding="UTF-8"?>
      <Response><!-- bridge -->
        <Connect>
          <Stream url="wss://voice.example.test/media-stream">
            <Parameter name="token" value="a&amp;b=&quot;c&quot;"/>
            <Parameter name='callSid' value='CA1' />
          </Stream>
        </Connect>
        <Say>Goodbye</Say>
      </Response>`;
    const parsed = parseTwiml(twiml);
    expect(parsed.verbs).toEqual(['Connect', 'Say']);
    expect(parsed.stream).toEqual({
      url: 'wss://voice.example.test/media-stream',
      parameters: { token: 'a&b="c"', callSid: 'CA1' },
      verbsAfter: ['Say'],
    });
  });

  it('returns no stream for other TwiML and rejects malformed XML', () => {
    const parsed = parseTwiml(
      '<Response><Say voice="alice">Busy &#x263A;</Say><Hangup/></Response>',
    );
    expect(parsed.verbs).toEqual(['Say', 'Hangup']);
    expect(parsed.stream).toBeUndefined();
    expect(parsed.root.children[0].text).toBe('Busy ☺');
    expect(() => parseTwiml('<Response><Say></Response>')).toThrow(/Malformed/);
    expect(() => parseTwiml('<Other/>')).toThrow(/Response/);
  });
});
