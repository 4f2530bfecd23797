import { startupSummary, StartupInputs } from './startup-summary';

const CONFIGURED: StartupInputs = {
  listening: 'http://0.0.0.0:8080',
  twilio: {
    webhookBaseUrl: 'https://voice.example.com',
    authToken: 'twilio-token',
    accountSid: `AC${'0'.repeat(32)}`,
  },
  gemini: { apiKey: 'gemini-key', vertex: undefined, liveUrl: undefined },
  calls: { adminApiKey: 'admin-key-0123456789' },
};

describe('startupSummary', () => {
  it('gives the URLs to configure at Twilio and nothing missing when all is set', () => {
    const summary = startupSummary(CONFIGURED);
    expect(summary).toEqual({
      msg: 'Listening on http://0.0.0.0:8080; Twilio voice webhook POST https://voice.example.com/incoming-call, status callback POST https://voice.example.com/call-status',
      listening: 'http://0.0.0.0:8080',
      twilio: {
        incomingCall: 'https://voice.example.com/incoming-call',
        callStatus: 'https://voice.example.com/call-status',
        mediaStream: 'wss://voice.example.com/media-stream',
      },
      gemini: 'Gemini API',
      notConfigured: [],
    });
  });

  it('names each unconfigured part with the variable to set, and never a value', () => {
    const summary = startupSummary({
      listening: 'http://0.0.0.0:8080',
      twilio: {},
      gemini: {},
      calls: {},
    });
    expect(summary.twilio).toBeUndefined();
    expect(summary.notConfigured.map((item) => item.set)).toEqual([
      'GEMINI_API_KEY (or GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION)',
      'WEBHOOK_BASE_URL and TWILIO_AUTH_TOKEN',
      'ADMIN_API_KEY',
      'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN',
    ]);
    expect(summary.msg).toBe(
      'Listening on http://0.0.0.0:8080; not configured: GEMINI_API_KEY (or GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION); WEBHOOK_BASE_URL and TWILIO_AUTH_TOKEN; ADMIN_API_KEY; TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN',
    );

    const partly = startupSummary({
      ...CONFIGURED,
      twilio: {
        webhookBaseUrl: 'https://v.example.com',
        authToken: 'secret-7f3a',
      },
    });
    expect(partly.notConfigured).toEqual([
      {
        what: "hang-up, transfer and outbound calls over Twilio's REST API: off",
        set: 'TWILIO_ACCOUNT_SID',
      },
    ]);
    expect(JSON.stringify([summary, partly])).not.toMatch(
      /secret-7f3a|gemini-key|admin-key/,
    );
  });

  it('says which Gemini endpoint calls go to, without a query string', () => {
    expect(
      startupSummary({
        ...CONFIGURED,
        gemini: { liveUrl: 'ws://127.0.0.1:9090?key=k' },
      }).gemini,
    ).toBe('GEMINI_LIVE_URL ws://127.0.0.1:9090');
    expect(
      startupSummary({
        ...CONFIGURED,
        gemini: { vertex: { project: 'p', location: 'europe-west4' } },
      }).gemini,
    ).toBe('Vertex AI (p, europe-west4)');
  });
});
