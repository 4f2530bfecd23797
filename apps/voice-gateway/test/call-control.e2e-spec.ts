import type {
  DialRequest,
  EmulatedLiveSession,
  FakeTwilioApi,
  FakeTwilioCall,
  TwilioCallSimulator,
} from '@app/simulators';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, PUBLIC_URL, toneAmplitude } from './support/call-harness';
import {
  OutboundHarness,
  PERSON,
  startOutboundHarness,
} from './support/outbound-harness';

/** The agent's voices in the emulator: talk, and its reply to a tool's answer (its goodbye or "connecting you"). */
const TALK_HZ = 440;
const AFTER_TOOL_HZ = 550;
/** The goodbye the agent says before it calls end_call (scripted). */
const GOODBYE_HZ = 700;
const SALES = '+14155550123';
const SUPPORT = 'sip:desk@pbx.example.com';

/** How long (ms) `hz` is heard in `audio` (8 kHz), counted in 20 ms blocks. */
function heardMs(audio: Int16Array, hz: number): number {
  let blocks = 0;
  for (let from = 0; from + 160 <= audio.length; from += 160)
    if (toneAmplitude(audio, hz, 8000, from, from + 160) > 2000) blocks++;
  return blocks * 20;
}

type Response = { id: string; response: Record<string, unknown> };

/**
 * The agent's built-in call control end to end: the real app, the fake Twilio REST API playing
 * Twilio (REST updates, `<Dial>` with a scripted person, the whisper and `<Dial action>` requests,
 * streams with marks echoed after playback), and the Gemini emulator playing the model, which calls
 * `end_call` / `transfer_call` when the test makes it.
 */
describe('Agent call control: end_call and transfer_call (real app, fake Twilio REST API, emulator)', () => {
  let o: OutboundHarness;
  let fake: FakeTwilioApi;
  const dir = mkdtempSync(join(tmpdir(), 'vg-control-'));
  const profiles = join(dir, 'profiles.json');

  beforeAll(async () => {
    writeFileSync(
      profiles,
      JSON.stringify({
        default: {
          name: 'desk',
          greeting: 'Hello, this is the front desk.',
          tools: ['end_call', 'transfer_call'],
          transferTargets: { sales: SALES, support: SUPPORT },
        },
        numbers: {
          '+15550000200': { name: 'plain', greeting: 'Hi.', tools: [] },
        },
      }),
    );
    o = await startOutboundHarness({ AGENT_PROFILES_FILE: profiles }, true, {
      chunkIntervalMs: 20,
      reply: (context) => ({
        kind: 'tone',
        hz: context.toolResponse ? AFTER_TOOL_HZ : TALK_HZ,
        amplitude: 8000,
        ms: context.toolResponse ? 1000 : 600,
      }),
    });
    fake = o.fake!;
  });

  afterAll(async () => {
    await o?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => expect(fake.faults).toEqual([]));

  /** A call to a person, greeted and heard. */
  async function connected(profile = 'desk'): Promise<{
    call: FakeTwilioCall;
    session: EmulatedLiveSession;
    stream: TwilioCallSimulator;
  }> {
    const { call, session } = await o.placed({ to: PERSON, profile });
    await eventually(() => call.stream?.firstAudioAtMs !== undefined, 5000);
    const stream = call.stream!;
    await eventually(() => !stream.playing && stream.marksEchoed.length > 0);
    return { call, session, stream };
  }

  function callTool(
    session: EmulatedLiveSession,
    id: string,
    name: string,
    args: object,
  ): void {
    session.send({ toolCall: { functionCalls: [{ id, name, args }] } });
  }

  async function answerTo(
    session: EmulatedLiveSession,
    id: string,
  ): Promise<Response> {
    await session.waitFor(
      (m) => JSON.stringify(m.toolResponse ?? {}).includes(`"${id}"`),
      3000,
    );
    return session.toolResponses.find(
      (r) => r.id === id,
    ) as unknown as Response;
  }

  const finalRecord = (callSid: string) =>
    eventually(async () => {
      const record = await o.recordOf(callSid);
      return record.endReason ? record : undefined;
    }, 8000);

  it('declares end_call and transfer_call (with the targets) only to profiles that list them', async () => {
    const declared = async (profile: string) => {
      const { call, session } = await connected(profile);
      const names = JSON.stringify(session.setup?.tools ?? []);
      call.hangUp();
      await call.ended;
      return names;
    };
    const desk = await declared('desk');
    expect(desk).toContain('"end_call"');
    expect(desk).toContain('"transfer_call"');
    expect(desk).toContain('Transfer targets: sales, support.');
    // (A profile naming no tools gets every tool but these: agent-tool.registry.spec.)
    expect(await declared('plain')).not.toContain('_call"');
  }, 30000);

  it('end_call: the goodbye and the reply to the tool answer play in full (marks echoed), then the call ends with agent-hangup', async () => {
    const { call, session, stream } = await connected();
    const goodbye = session.speak({
      kind: 'tone',
      hz: GOODBYE_HZ,
      amplitude: 8000,
      ms: 1200,
    })!;
    await eventually(() => goodbye.outcome !== undefined, 5000);
    callTool(session, 'bye-1', 'end_call', { reason: 'caller is done' });
    expect((await answerTo(session, 'bye-1')).response).toEqual({
      result: 'The call ends as soon as your last words have played.',
    });
    expect(await call.ended).toBe('completed');
    const heard = stream.heardAudio();
    expect(heardMs(heard, GOODBYE_HZ)).toBeGreaterThanOrEqual(1160);
    expect(heardMs(heard, AFTER_TOOL_HZ)).toBeGreaterThanOrEqual(960);
    // Every mark sent was echoed (played) before the stream closed.
    const echoed = new Set(stream.marksEchoed.map((m) => m.name));
    for (const mark of stream.marksReceived)
      expect(echoed).toContain(mark.name);
    const record = await finalRecord(call.sid);
    expect(record.endReason).toBe('agent-hangup');
    expect(JSON.stringify(record.transcript)).toContain('tool end_call');
  }, 20000);

  it('end_call with a goAway during the playout wait: the reply plays in full, once, and the call still ends agent-hangup', async () => {
    const { call, session, stream } = await connected();
    const sessionsBefore = o.h.emulator.sessions.length;
    callTool(session, 'bye-ga', 'end_call', { reason: 'caller is done' });
    await answerTo(session, 'bye-ga');
    // The model's 1 s reply to the tool's answer is streaming and the call waits on its playout: the
    // connection is told to go away (it keeps streaming until its time is up, as the real server does).
    const toToolAnswer = () =>
      session.replies.find((r) => r.trigger === 'toolResponse');
    await eventually(() => (toToolAnswer()?.chunksSent ?? 0) >= 5, 3000);
    session.goAway('20s');
    expect(await call.ended).toBe('completed');
    expect(toToolAnswer()?.outcome).toBe('complete');
    const heard = stream.heardAudio();
    expect(heardMs(heard, AFTER_TOOL_HZ)).toBeGreaterThanOrEqual(960);
    expect(heardMs(heard, AFTER_TOOL_HZ)).toBeLessThanOrEqual(1040); // never replayed
    const echoed = new Set(stream.marksEchoed.map((m) => m.name));
    for (const mark of stream.marksReceived)
      expect(echoed).toContain(mark.name);
    // The switch to a new connection happened during the wait (at the reply's turn boundary), and
    // the connection that took over said nothing again.
    const taken = o.h.emulator.sessions.slice(sessionsBefore);
    expect(taken.length).toBeGreaterThanOrEqual(1);
    for (const next of taken) expect(next.replies).toEqual([]);
    const record = await finalRecord(call.sid);
    expect(record.endReason).toBe('agent-hangup');
  }, 20000);

  it('transfer answered: the REST redirect dials the target, the whisper carries the summary, the call ends transferred', async () => {
    let whisper = '';
    fake.dialHandler = async (request: DialRequest) => {
      whisper = await request.fetchTwiml(request.targets[0].url!, {
        CallSid: `CA${'9'.repeat(32)}`,
      });
      return { status: 'completed', durationSeconds: 42 };
    };
    const { call, session, stream } = await connected();
    const updatesBefore = fake.updates.length;
    callTool(session, 'xfer-1', 'transfer_call', {
      target: 'sales',
      reason: 'wants a quote',
      summary: 'Dana wants a quote for 40 chairs.',
    });
    expect(
      String((await answerTo(session, 'xfer-1')).response.result),
    ).toContain('Transferring the caller to sales');
    const record = await finalRecord(call.sid);
    // The agent's "connecting you" (its reply to the tool answer) played in full before the redirect.
    expect(heardMs(stream.heardAudio(), AFTER_TOOL_HZ)).toBeGreaterThanOrEqual(
      960,
    );
    const update = fake.updates[updatesBefore];
    expect(update.callSid).toBe(call.sid);
    const twiml = String(update.params.Twiml);
    expect(twiml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response>' +
        `<Dial action="${PUBLIC_URL}/transfer-status" method="POST" timeout="20">` +
        `<Number url="${PUBLIC_URL}/transfer-whisper?callSid=${call.sid}&amp;summary=Transferred+call.+Dana+wants+a+quote+for+40+chairs." method="POST">${SALES}</Number>` +
        '</Dial></Response>',
    );
    expect(whisper).toContain(
      '<Say>Transferred call. Dana wants a quote for 40 chairs.</Say>',
    );
    expect(record.endReason).toBe('transferred');
    expect(record.transfers).toEqual([
      expect.objectContaining({
        target: 'sales',
        to: SALES,
        reason: 'wants a quote',
        state: 'answered',
      }),
    ]);
    // The dial's end (DialCallStatus=completed) is kept, and Twilio got <Hangup/>.
    await eventually(async () => {
      const r = await o.recordOf(call.sid);
      const [t] = r.transfers as Array<{ dialStatus?: string }>;
      return t.dialStatus === 'completed';
    });
    const action = call.callbacks.find((c) => c.kind === 'dial-action');
    expect(action?.params.DialCallStatus).toBe('completed');
    expect(action?.body).toContain('<Hangup/>');
    expect(await o.liveCount()).toBe(0);
  }, 20000);

  it('transfer not answered: the caller is back with a new agent session that was told why', async () => {
    fake.dialHandler = () => Promise.resolve({ status: 'no-answer' });
    const { call, session } = await connected();
    const sessionsBefore = o.h.emulator.sessions.length;
    callTool(session, 'xfer-2', 'transfer_call', {
      target: 'support',
      reason: 'printer broken',
      summary: 'Caller has a broken printer.',
    });
    await answerTo(session, 'xfer-2');
    const back = await o.h.emulator.waitForSession(
      10000,
      (s) => o.h.emulator.sessions.indexOf(s) >= sessionsBefore,
    );
    await back.waitFor((m) =>
      JSON.stringify(m).includes(
        'The transfer to support did not go through: nobody answered.',
      ),
    );
    // The second stream carries the new agent's reply to the caller; no greeting this time.
    await eventually(() => call.streams.length === 2, 5000);
    const second = call.streams[1];
    await eventually(() => second.firstAudioAtMs !== undefined, 5000);
    expect(JSON.stringify(back.received)).not.toContain('Greet them');
    const dial = call.dials[call.dials.length - 1];
    expect(dial.targets).toEqual([
      expect.objectContaining({ kind: 'sip', value: SUPPORT }),
    ]);
    const live = await o.recordOf(call.sid);
    expect(live.status).toBe('in-progress');
    expect(live.transfers).toEqual([
      expect.objectContaining({
        target: 'support',
        state: 'not-answered',
        dialStatus: 'no-answer',
      }),
    ]);
    call.hangUp();
    await call.ended;
    const record = await finalRecord(call.sid);
    expect(record.endReason).toBe('caller-hangup');
    expect(await o.liveCount()).toBe(0);
  }, 30000);

  it('the transfer webhooks are signature-checked: unsigned or forged requests get 403 and change nothing', async () => {
    const { call } = await connected();
    const post = (path: string, body: string, signature?: string) =>
      fetch(`${o.h.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(signature ? { 'x-twilio-signature': signature } : {}),
        },
        body,
      });
    const status = `CallSid=${call.sid}&DialCallStatus=no-answer`;
    expect((await post('/transfer-status', status)).status).toBe(403);
    expect((await post('/transfer-status', status, 'Zm9yZ2Vk')).status).toBe(
      403,
    );
    const whisper = `/transfer-whisper?callSid=${call.sid}&summary=hi`;
    expect((await post(whisper, '')).status).toBe(403);
    expect((await o.recordOf(call.sid)).status).toBe('in-progress');
    expect(call.streams).toHaveLength(1);
    call.hangUp();
    await call.ended;
  }, 20000);

  it('the model cannot transfer outside its profile: unknown, inherited-property and malformed targets are refused, nothing is dialled', async () => {
    const { call, session } = await connected();
    const updatesBefore = fake.updates.length;
    const cases: Array<[string, object]> = [
      ['bad-1', { target: 'ceo', reason: 'x', summary: 'y' }],
      ['bad-2', { target: '+19005550000', reason: 'x', summary: 'y' }],
      ['bad-3', { target: '__proto__', reason: 'x', summary: 'y' }],
      ['bad-4', { target: 'constructor', reason: 'x', summary: 'y' }],
      ['bad-5', { target: 'sales' }],
    ];
    for (const [id, args] of cases) {
      callTool(session, id, 'transfer_call', args);
      const error = String((await answerTo(session, id)).response.error);
      expect(error).toMatch(
        id === 'bad-5' ? /Invalid arguments/ : /choose one of sales, support/,
      );
    }
    // Still talking to the agent: no REST update was made, the call is live.
    expect(fake.updates.length).toBe(updatesBefore);
    expect((await o.recordOf(call.sid)).status).toBe('in-progress');
    call.hangUp();
    await call.ended;
  }, 20000);
});
