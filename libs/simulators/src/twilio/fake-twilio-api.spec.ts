import { RebasedRequestClient } from '@app/twilio';
import twilio from 'twilio';
import { FakeTwilioApi } from './fake-twilio-api';
import {
  FakeService,
  PUBLIC,
  STREAM_TWIML,
  TOKEN,
} from './fake-voice-service.test-helper';

const ACCOUNT = `AC${'2'.repeat(32)}`;
const TO = '+15550001234';
const FROM = '+15005550006';

/** The REST surface of the fake Twilio API, driven by the real twilio-node client. */
describe('FakeTwilioApi', () => {
  let api: FakeTwilioApi;
  let service: FakeService;
  let client: ReturnType<typeof twilio>;

  beforeEach(async () => {
    service = new FakeService();
    await new Promise<void>((resolve) =>
      service.server.listen(0, '127.0.0.1', resolve),
    );
    api = await FakeTwilioApi.start({
      accountSid: ACCOUNT,
      authToken: TOKEN,
      serviceUrl: service.url,
    });
    client = twilio(ACCOUNT, TOKEN, {
      httpClient: new RebasedRequestClient(api.url),
    });
  });

  afterEach(async () => {
    await api.close();
    service.socket?.terminate();
    await new Promise((resolve) => service.server.close(resolve));
  });

  const create = (extra: Record<string, unknown> = {}) =>
    client.calls.create({
      to: TO,
      from: FROM,
      twiml: STREAM_TWIML,
      statusCallback: `${PUBLIC}/call-status`,
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      machineDetection: 'DetectMessageEnd',
      asyncAmd: 'true',
      asyncAmdStatusCallback: `${PUBLIC}/amd-status`,
      ...extra,
    });

  it('refuses other credentials with 401 and a Twilio-shaped error, recorded', async () => {
    const res = await fetch(
      `${api.url}/2010-04-01/Accounts/${ACCOUNT}/Calls.json`,
      {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${ACCOUNT}:wrong`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: `To=${encodeURIComponent(TO)}`,
      },
    );
    expect(res.status).toBe(401);
    await expect(res.json()).resolves.toEqual({
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
    expect(api.requests).toEqual([
      expect.objectContaining({
        kind: 'create',
        status: 401,
        errorCode: 20003,
      }),
    ]);
    expect(api.calls).toEqual([]);
  });

  it('validates creates as Twilio does, and answers a scripted refusal once', async () => {
    await expect(create({ to: '12345' })).rejects.toMatchObject({
      status: 400,
      code: 21211,
    });
    api.refuseNext({ status: 400, code: 21219, message: 'Not verified' });
    await expect(create()).rejects.toMatchObject({
      status: 400,
      code: 21219,
      message: 'Not verified',
    });
    await expect(create()).resolves.toMatchObject({ status: 'queued' });
    expect(api.creates.map((r) => r.status)).toEqual([400, 400, 201]);
  });

  it('records the create, then plays the call: signed callbacks, stream, async AMD', async () => {
    api.script(TO, {
      ringMs: 30,
      answeredBy: 'machine_end_beep',
      amdAfterMs: 150,
    });
    const created = await create();
    expect(created).toMatchObject({
      sid: expect.stringMatching(/^CA[0-9a-f]{32}$/) as string,
      status: 'queued',
      direction: 'outbound-api',
    });
    expect(api.creates[0].params).toMatchObject({
      To: TO,
      From: FROM,
      Twiml: STREAM_TWIML,
      StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      MachineDetection: 'DetectMessageEnd',
      AsyncAmd: 'true',
    });
    const start = await service.next((m) => m.event === 'start');
    expect(service.handshakeSigned).toBe(true);
    expect(start.message.start).toMatchObject({
      callSid: created.sid,
      accountSid: ACCOUNT,
      customParameters: { token: 't-1' },
    });
    const call = api.call(created.sid)!;
    await waitUntil(() => call.callbacks.some((c) => c.kind === 'amd'));
    const statuses = service.forms.filter((f) => f.path === '/call-status');
    expect(statuses.map((f) => f.params.CallStatus)).toEqual([
      'initiated',
      'ringing',
      'in-progress',
    ]);
    expect(statuses.every((f) => f.signed)).toBe(true);
    expect(statuses[0].params).toMatchObject({
      CallSid: created.sid,
      Direction: 'outbound-api',
      From: FROM,
      To: TO,
    });
    const amd = service.forms.find((f) => f.path === '/amd-status')!;
    expect(amd).toMatchObject({
      signed: true,
      params: {
        CallSid: created.sid,
        AnsweredBy: 'machine_end_beep',
        MachineDetectionDuration: '150',
      },
    });
    await expect(client.calls(created.sid).fetch()).resolves.toMatchObject({
      status: 'in-progress',
      answeredBy: 'machine_end_beep',
    });
  });

  it('Status=completed: the stream gets stop and closes, completed is posted, a second hang-up is 404', async () => {
    const created = await create();
    await service.next((m) => m.event === 'start');
    await client.calls(created.sid).update({ status: 'completed' });
    await service.next((m) => m.event === 'stop');
    const call = api.call(created.sid)!;
    await expect(call.ended).resolves.toBe('completed');
    await waitUntil(() =>
      service.forms.some((f) => f.params.CallStatus === 'completed'),
    );
    const completed = service.forms.find(
      (f) => f.params.CallStatus === 'completed',
    )!;
    expect(completed.params.CallDuration).toMatch(/^\d+$/);
    await expect(
      client.calls(created.sid).update({ status: 'completed' }),
    ).rejects.toMatchObject({ status: 404, code: 20404 });
    expect(api.updates.map((u) => [u.params.Status, u.status])).toEqual([
      ['completed', 200],
      ['completed', 404],
    ]);
  });

  it('an update with new TwiML stops the stream and runs the TwiML', async () => {
    const created = await create();
    await service.next((m) => m.event === 'start');
    await client.calls(created.sid).update({
      twiml: '<Response><Say>Transferring you now</Say><Hangup/></Response>',
    });
    await service.next((m) => m.event === 'stop');
    const call = api.call(created.sid)!;
    await expect(call.ended).resolves.toBe('completed');
    expect(call.verbs).toEqual([
      'Connect',
      'Say: Transferring you now',
      'Hangup',
    ]);
    expect(api.updates[0]).toMatchObject({ status: 200, callSid: created.sid });
  });

  it('a <Dial> goes to the dial handler, then its action gets DialCallStatus', async () => {
    api.dialHandler = () => Promise.resolve({ status: 'busy' });
    service.twiml = '<Response><Say>Back to you</Say></Response>';
    const created = await create({
      twiml:
        '<Response><Dial action="https://voice.example.test/dial-status"><Number url="https://voice.example.test/whisper">+15550009999</Number></Dial></Response>',
    });
    const call = api.call(created.sid)!;
    await expect(call.ended).resolves.toBe('completed');
    expect(call.dials[0].targets).toEqual([
      {
        kind: 'number',
        value: '+15550009999',
        url: 'https://voice.example.test/whisper',
      },
    ]);
    const action = service.forms.find((f) => f.path === '/dial-status')!;
    expect(action).toMatchObject({
      signed: true,
      params: { CallSid: created.sid, DialCallStatus: 'busy' },
    });
    expect(call.verbs).toEqual(['Dial', 'Say: Back to you']);
  });

  it('a callee that is busy: no stream, the final callback says busy; a redirect is refused', async () => {
    api.script(TO, { outcome: 'busy', ringMs: 20 });
    const created = await create();
    const call = api.call(created.sid)!;
    await expect(call.ended).resolves.toBe('busy');
    await waitUntil(() =>
      service.forms.some((f) => f.params.CallStatus === 'busy'),
    );
    expect(call.streams).toEqual([]);
    await expect(
      client.calls(created.sid).update({ twiml: '<Response/>' }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('the service closing the stream ends a <Connect> call with nothing after it', async () => {
    const created = await create();
    await service.next((m) => m.event === 'start');
    service.socket?.close(1000, 'call ended');
    await expect(api.call(created.sid)!.ended).resolves.toBe('completed');
    expect(api.faults).toEqual([]);
  });
});

async function waitUntil(
  check: () => boolean,
  timeoutMs = 3000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
