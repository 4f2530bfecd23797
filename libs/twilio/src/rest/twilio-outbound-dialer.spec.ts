import { FakeTwilioApi } from '@app/simulators';
import { Logger } from '@nestjs/common';
import {
  TwilioDialError,
  TwilioOutboundDialer,
} from './twilio-outbound-dialer';

const ACCOUNT = `AC${'3'.repeat(32)}`;
const TOKEN = 'dialer-spec-auth-token';
const TWIML =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://voice.example.test/media-stream"><Parameter name="dialId" value="d1"/><Parameter name="token" value="t1"/></Stream></Connect></Response>';

const request = {
  to: '+15550001234',
  from: '+15005550006',
  twiml: TWIML,
  statusCallback: 'https://voice.example.test/call-status',
  amdStatusCallback: 'https://voice.example.test/amd-status',
  ringTimeoutSeconds: 45,
};

describe('TwilioOutboundDialer (against the fake Twilio REST API)', () => {
  let api: FakeTwilioApi;
  let dialer: TwilioOutboundDialer;

  beforeEach(async () => {
    // The callee never answers within the test: only the REST surface is exercised.
    api = await FakeTwilioApi.start({
      accountSid: ACCOUNT,
      authToken: TOKEN,
      callee: { ringMs: 60_000 },
    });
    dialer = new TwilioOutboundDialer({
      accountSid: ACCOUNT,
      authToken: TOKEN,
      apiBaseUrl: api.url,
    });
    jest.spyOn(Logger.prototype, 'warn').mockImplementation();
  });

  afterEach(async () => {
    await api.close();
    jest.restoreAllMocks();
  });

  it('creates the call with the stream TwiML, status callbacks and asynchronous AMD', async () => {
    const created = await dialer.dial(request);
    expect(created).toEqual({
      callSid: expect.stringMatching(/^CA[0-9a-f]{32}$/) as string,
      status: 'queued',
    });
    expect(api.creates).toHaveLength(1);
    expect(api.creates[0]).toMatchObject({
      path: `/2010-04-01/Accounts/${ACCOUNT}/Calls.json`,
      status: 201,
      callSid: created.callSid,
    });
    expect(api.creates[0].params).toEqual({
      To: request.to,
      From: request.from,
      Twiml: TWIML,
      Timeout: '45',
      StatusCallback: request.statusCallback,
      StatusCallbackMethod: 'POST',
      StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      MachineDetection: 'DetectMessageEnd',
      AsyncAmd: 'true',
      AsyncAmdStatusCallback: request.amdStatusCallback,
      AsyncAmdStatusCallbackMethod: 'POST',
    });
  });

  it('is disabled, without a request, when credentials are missing', async () => {
    const unconfigured = new TwilioOutboundDialer({ apiBaseUrl: api.url });
    expect(unconfigured.disabledReason).toBe(
      'Outbound calls are disabled: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN',
    );
    await expect(unconfigured.dial(request)).rejects.toMatchObject({
      failure: 'not-configured',
    });
    expect(api.requests).toEqual([]);
  });

  it("names Twilio's reason and code when it refuses the call", async () => {
    api.refuseNext({
      status: 400,
      code: 21211,
      message: "The 'To' number +15550001234 is not a valid phone number.",
    });
    const error = await dialer.dial(request).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TwilioDialError);
    expect(error).toMatchObject({
      failure: 'refused',
      status: 400,
      code: 21211,
      message:
        "Twilio refused the call: The 'To' number +15550001234 is not a valid phone number. (Twilio error 21211)",
    });
  });

  it('never passes credentials on, even when the answer quotes them', async () => {
    api.refuseNext({
      status: 401,
      code: 20003,
      message: `Authenticate ${ACCOUNT}:${TOKEN} (Basic QUM6dG9rZW4=)`,
    });
    const error = (await dialer
      .dial(request)
      .catch((err: unknown) => err)) as TwilioDialError;
    expect(error.failure).toBe('unauthorized');
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain(ACCOUNT);
    expect(error.message).not.toContain('QUM6dG9rZW4=');
    expect(error.message).toContain(
      'Check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN',
    );
  });

  it('maps 429 to rate-limited and an unreachable API to unreachable', async () => {
    api.refuseNext({ status: 429, code: 20429, message: 'Too Many Requests' });
    await expect(dialer.dial(request)).rejects.toMatchObject({
      failure: 'rate-limited',
    });
    const url = api.url;
    await api.close();
    const offline = new TwilioOutboundDialer({
      accountSid: ACCOUNT,
      authToken: TOKEN,
      apiBaseUrl: url,
    });
    await expect(offline.dial(request)).rejects.toMatchObject({
      failure: 'unreachable',
      message: 'Twilio could not be reached to place the call',
    });
    api = await FakeTwilioApi.start({ accountSid: ACCOUNT, authToken: TOKEN });
  });
});
