import { TwimlBuilder } from './twiml.builder';

describe('TwimlBuilder', () => {
  const builder = new TwimlBuilder();

  it('connects the call to the stream with parameters, not a query string', () => {
    const xml = builder.connectStream('wss://voice.example.test/media-stream', {
      callSid: 'CA1',
      token: 'a&b',
    });
    expect(xml).toContain(
      '<Connect><Stream url="wss://voice.example.test/media-stream">',
    );
    expect(xml).toContain('<Parameter name="callSid" value="CA1"/>');
    expect(xml).toContain('<Parameter name="token" value="a&amp;b"/>');
    expect(xml).not.toMatch(/media-stream\?/);
  });

  it('apologises and hangs up when busy', () => {
    const xml = builder.busy();
    expect(xml).toMatch(/<Say>Sorry.*<\/Say><Hangup\/>/);
  });
});
