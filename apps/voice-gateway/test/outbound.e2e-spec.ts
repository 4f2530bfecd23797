import type { FakeTwilioApi } from '@app/simulators';
import {
  CallHarness,
  eventually,
  loudestWindow,
  PUBLIC_URL,
  toneAmplitude,
} from './support/call-harness';
import {
  BUSY,
  CALLER_ID,
  calleeHeardByAgent,
  FAX,
  MACHINE,
  OutboundHarness,
  PERSON,
  startOutboundHarness,
  TALK_HZ,
  VOICEMAIL,
  VOICEMAIL_HZ,
} from './support/outbound-harness';

const db = (ratio: number): number => 20 * Math.log10(ratio);

/**
 * `POST /calls` end to end: the real app dials out through twilio-node to the fake Twilio REST API,
 * which plays the callee (a person, a machine, a fax, nobody) and Twilio's callbacks and stream; the
 * Gemini emulator plays the agent. See outbound-admin.e2e-spec.ts for the route's guards.
 */
describe('Outbound calls with answering-machine detection (real app, fake Twilio REST API, emulator)', () => {
  let o: OutboundHarness;
  let fake: FakeTwilioApi;
  let h: CallHarness;

  beforeAll(async () => {
    o = await startOutboundHarness();
    fake = o.fake!;
    h = o.h;
  });

  afterAll(() => o?.close());

  afterEach(() => expect(fake.faults).toEqual([]));

  const placed = (body: object) => o.placed(body);
  const recordOf = (callSid: string) => o.recordOf(callSid);
  const liveCount = () => o.liveCount();

  it('creates the call over the REST API with the stream TwiML, status callback and async AMD', async () => {
    const { call } = await placed({ to: PERSON });
    const create = fake.creates[fake.creates.length - 1];
    expect(create.status).toBe(201);
    expect(create.params).toMatchObject({
      To: PERSON,
      From: CALLER_ID,
      StatusCallback: `${PUBLIC_URL}/call-status`,
      StatusCallbackMethod: 'POST',
      StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      MachineDetection: 'DetectMessageEnd',
      AsyncAmd: 'true',
      AsyncAmdStatusCallback: `${PUBLIC_URL}/amd-status`,
      AsyncAmdStatusCallbackMethod: 'POST',
      Timeout: '60',
    });
    const twiml = String(create.params.Twiml);
    expect(twiml).toContain(
      '<Connect><Stream url="wss://voice.example.test/media-stream">',
    );
    expect(twiml).toMatch(/<Parameter name="dialId" value="[\w-]{22}"\/>/);
    expect(twiml).toContain('<Parameter name="profile" value="default"/>');
    expect(twiml).toMatch(/<Parameter name="token" value="[^"]+"\/>/);
    expect(twiml).not.toMatch(/media-stream\?/);
    call.hangUp();
    await call.ended;
  });

  it('a person answers: nothing plays before AMD says human, then the agent greets and talks', async () => {
    const { call, session } = await placed({ to: PERSON });
    await eventually(() => call.stream?.firstAudioAtMs !== undefined, 5000);
    const stream = call.stream!;
    expect(call.answeredBy).toBe('human');
    // AMD answered 800 ms after the answer; the stream started just after the answer.
    expect(stream.firstAudioAtMs).toBeGreaterThan(600);
    await session.waitFor((m) =>
      JSON.stringify(m).includes('Hello, this is the Acme assistant.'),
    );
    await eventually(() => !stream.playing && stream.marksEchoed.length > 0);
    const heard = stream.heardAudio();
    const [from, to] = loudestWindow(heard, 8000, 400);
    expect(
      Math.abs(db(toneAmplitude(heard, TALK_HZ, 8000, from, to) / 8000)),
    ).toBeLessThan(1);
    // The callee's "hello" during detection never reached the agent.
    expect(calleeHeardByAgent(session)).toBeLessThan(50);
    expect(stream.protocolErrors).toEqual([]);

    const live = (await (await h.admin('/calls')).json()) as {
      calls: Array<Record<string, unknown>>;
    };
    expect(live.calls).toEqual([
      expect.objectContaining({
        callSid: call.sid,
        direction: 'outbound',
        answeredBy: 'human',
        from: CALLER_ID,
        to: PERSON,
        status: 'in-progress',
      }),
    ]);
    call.hangUp();
    await call.ended;
    // Twilio's completed status callback follows the stream's stop.
    const record = await eventually(async () => {
      const body = await recordOf(call.sid);
      return body.twilioStatus === 'completed' ? body : undefined;
    });
    expect(record).toMatchObject({
      status: 'completed',
      direction: 'outbound',
      answeredBy: 'human',
      endReason: 'caller-hangup',
      twilioStatus: 'completed',
    });
  }, 15000);

  it('a machine answers: the voicemail message plays in full after the beep, then the call is hung up over REST', async () => {
    const { call, session } = await placed({ to: MACHINE, profile: 'sales' });
    expect(await call.ended).toBe('completed');
    const stream = call.streams[0];
    expect(call.answeredBy).toBe('machine_end_beep');
    // The agent was told to leave the profile's message, word for word.
    expect(JSON.stringify(session.received)).toContain(VOICEMAIL);
    expect(stream.firstAudioAtMs).toBeGreaterThan(700);
    const heard = stream.heardAudio();
    const [from, to] = loudestWindow(heard, 8000, 600);
    expect(
      Math.abs(db(toneAmplitude(heard, VOICEMAIL_HZ, 8000, from, to) / 8000)),
    ).toBeLessThan(1);
    // All of it played (every mark echoed) before the hang-up: 800 ms of the message.
    let audible = 0;
    for (let i = 0; i + 80 <= heard.length; i += 80)
      if (toneAmplitude(heard, VOICEMAIL_HZ, 8000, i, i + 80) > 2000)
        audible += 10;
    expect(audible).toBeGreaterThanOrEqual(700);
    expect(stream.marksEchoed.length).toBe(stream.marksReceived.length);
    // The machine's greeting never reached the agent.
    expect(calleeHeardByAgent(session)).toBeLessThan(50);
    await eventually(() =>
      fake.updates.some(
        (u) => u.callSid === call.sid && u.params.Status === 'completed',
      ),
    );
    const record = await eventually(async () => {
      const body = await recordOf(call.sid);
      return body.status === 'completed' ? body : undefined;
    });
    expect(record).toMatchObject({
      direction: 'outbound',
      answeredBy: 'machine_end_beep',
      endReason: 'voicemail',
    });
  }, 15000);

  it('a fax answers: the call ends at once, nothing played', async () => {
    const { call } = await placed({ to: FAX });
    await call.ended;
    expect(call.stream?.firstAudioAtMs).toBeUndefined();
    await eventually(() =>
      fake.updates.some(
        (u) => u.callSid === call.sid && u.params.Status === 'completed',
      ),
    );
    const record = await eventually(async () => {
      const body = await recordOf(call.sid);
      return body.status === 'completed' ? body : undefined;
    });
    expect(record).toMatchObject({ answeredBy: 'fax', endReason: 'fax' });
  });

  it('nobody answers (busy): the call ends not-answered with Twilio status busy', async () => {
    const { call } = await placed({ to: BUSY });
    expect(await call.ended).toBe('busy');
    const record = await eventually(async () => {
      const body = await recordOf(call.sid);
      return body.status === 'completed' && body.twilioStatus === 'busy'
        ? body
        : undefined;
    });
    expect(record).toMatchObject({
      direction: 'outbound',
      endReason: 'not-answered',
    });
    expect(record).not.toHaveProperty('answeredBy');
    await eventually(async () => (await liveCount()) === 0);
  });
});
