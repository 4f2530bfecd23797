import type { EmulatedLiveSession, TwilioCallSimulator } from '@app/simulators';
import { parseTwiml } from '@app/simulators';
import {
  AttackHarness,
  DESK,
  Json,
  OTHER,
  SALES,
  startAttackHarness,
  TOKEN_TTL_MS,
} from './support/attack-harness';
import { CallHarness, eventually, PUBLIC_URL } from './support/call-harness';
import {
  ok,
  ScriptedRestRequest,
  ScriptedTwilioRest,
  twilioError,
} from './support/scripted-twilio-rest';

/**
 * Attacks on the agent's call control with Twilio played by hand: the REST API answers what (and
 * when) the test says (ScriptedTwilioRest), and the test sends the stream's `stop`, the `<Dial
 * action>` and the whisper itself, so events can come in any order, late, twice, or never. Inbound
 * calls with no status callback (a number configured without one), where nothing but the service
 * itself ends a call whose caller is gone.
 */
describe('Call control under attack: Twilio played by hand (races, failures, replays)', () => {
  let attack: AttackHarness;
  let h: CallHarness;
  let rest: ScriptedTwilioRest;

  beforeAll(async () => {
    attack = await startAttackHarness();
    ({ h, rest } = attack);
  });
  afterAll(() => attack?.close());
  beforeEach(() => attack.answerAll());
  // A test that fails must not take the next one's slots: end whatever it left live.
  afterEach(() => attack.endLiveCalls());

  const live = () => attack.live();
  const freed = () => attack.freed();
  const recordOf = (callSid: string) => attack.recordOf(callSid);
  const ended = (callSid: string, timeoutMs?: number) =>
    attack.ended(callSid, timeoutMs);
  const connected = (to?: string) => attack.connected(to);
  const transfer = (
    session: EmulatedLiveSession,
    id: string,
    summary?: string,
  ) => attack.transfer(session, id, summary);
  const toolAnswer = (session: EmulatedLiveSession, id: string) =>
    attack.toolAnswer(session, id);
  const onRedirect = (
    answer: (request: ScriptedRestRequest) => Promise<ReturnType<typeof ok>>,
  ) => attack.onRedirect(answer);
  const dialling = (id: string) => attack.dialling(id);
  const dialAction = (sim: TwilioCallSimulator, status: string) =>
    attack.dialAction(sim, status);

  it('REST redirect refused (HTTP 500): the agent is told, the call stays live and usable, end_call still works', async () => {
    onRedirect(() =>
      Promise.resolve(twilioError(500, 20500, 'Internal server error')),
    );
    const { sim, session } = await connected();
    transfer(session, 'x-500');
    await toolAnswer(session, 'x-500');
    await session.waitFor(
      (m) => JSON.stringify(m).includes('could not be started'),
      8000,
    );
    const record = await recordOf(sim.callSid);
    expect(record.status).toBe('in-progress');
    expect(record.transfers).toEqual([
      expect.objectContaining({ state: 'not-answered', dialStatus: 'failed' }),
    ]);
    // The stream is still the call's: the agent's next words reach the caller.
    const heardBefore = sim.marksReceived.length;
    session.speak({ kind: 'tone', hz: 440, amplitude: 8000, ms: 300 });
    await eventually(() => sim.marksReceived.length > heardBefore, 3000);
    // And the agent can still hang up (the failed transfer released its claim).
    session.send({
      toolCall: { functionCalls: [{ id: 'bye', name: 'end_call', args: {} }] },
    });
    expect(String((await toolAnswer(session, 'bye')).result)).toContain(
      'The call ends',
    );
    expect((await ended(sim.callSid)).endReason).toBe('agent-hangup');
    await freed();
  }, 20000);

  it("Twilio's stop arrives before the REST redirect resolves: the call waits for the dial, and the caller comes back to the agent", async () => {
    const { sim, session } = await connected();
    onRedirect(async (request) => {
      await sim.hangUp(); // Twilio stops the stream first...
      await new Promise((r) => setTimeout(r, 300));
      return ok(request); // ...then answers the update.
    });
    transfer(session, 'x-stop');
    await toolAnswer(session, 'x-stop');
    await eventually(
      async () => {
        const r = await recordOf(sim.callSid);
        const t = (r.transfers as Json[] | undefined) ?? [];
        return t.length === 1 && rest.requests.length > 0;
      },
      8000,
      100,
    );
    await new Promise((r) => setTimeout(r, 400));
    expect((await recordOf(sim.callSid)).status).toBe('in-progress');
    expect(await live()).toBe(1);
    const before = h.emulator.sessions.length;
    const action = await dialAction(sim, 'busy');
    expect(action.status).toBe(200);
    const stream = parseTwiml(action.body).stream!;
    expect(stream).toBeDefined();
    const back = h.call({ callSid: sim.callSid, to: DESK });
    const opened = await back.connectStream(stream);
    expect(opened.stream).toBe(true);
    const told = await h.emulator.waitForSession(
      3000,
      (s) => h.emulator.sessions.indexOf(s) >= before,
    );
    await told.waitFor((m) =>
      JSON.stringify(m).includes('did not go through: the line was busy'),
    );
    await eventually(() => back.firstAudioAtMs !== undefined, 5000);
    // The admin end route works on the returned call.
    const res = await h.admin('/end-call', {
      method: 'POST',
      body: JSON.stringify({ callSid: sim.callSid }),
    });
    expect(res.status).toBe(200);
    expect((await ended(sim.callSid)).endReason).toBe('admin');
    await freed();
  }, 25000);

  it('the caller hangs up while the REST redirect is in flight and Twilio then refuses it (call over): the call ends, its slot is freed', async () => {
    const { sim, session } = await connected();
    onRedirect(async () => {
      await sim.hangUp();
      await new Promise((r) => setTimeout(r, 200));
      return twilioError(
        400,
        21220,
        'Call is not in-progress. Cannot redirect.',
      );
    });
    transfer(session, 'x-gone');
    await toolAnswer(session, 'x-gone');
    const record = await ended(sim.callSid, 8000);
    expect(record.endReason).toBe('caller-hangup');
    expect(record.transfers).toEqual([
      expect.objectContaining({ state: 'not-answered' }),
    ]);
    await freed();
  }, 20000);

  it('the stream that brings the caller back never comes (a retried dial action brings them back again): the call ends once the wait for it is over', async () => {
    const { sim } = await dialling('x-never');
    const action = await dialAction(sim, 'no-answer');
    expect(parseTwiml(action.body).stream).toBeDefined();
    // Twilio retries the dial action (its answer was lost): the caller is brought back again, with a
    // fresh token, never hung up.
    const retried = await dialAction(sim, 'no-answer');
    const again = parseTwiml(retried.body).stream;
    expect(again?.parameters.token).toBeDefined();
    expect(again?.parameters.token).not.toBe(
      parseTwiml(action.body).stream?.parameters.token,
    );
    expect(retried.body).not.toContain('<Hangup/>');
    // Nobody connects the stream (the caller hung up as it was being connected; no status callback).
    const record = await ended(sim.callSid, TOKEN_TTL_MS + 6000);
    expect(record.endReason).toBeDefined();
    await freed();
  }, 25000);

  it('the caller hangs up while the transfer rings: the record keeps an outcome (not "dialing"); a late dial action gets <Hangup/>', async () => {
    const { sim } = await dialling('x-ring');
    // Twilio: the caller hung up during <Dial> (status callback completed).
    const status = await sim.postStatus('completed');
    expect(status.status).toBe(204);
    const record = await ended(sim.callSid);
    expect(record.endReason).toBe('caller-hangup');
    const [t] = record.transfers as Json[];
    expect(t.state).not.toBe('dialing');
    await freed();
    // The dial's action, late: hang up, nothing reopened, no stream token handed out.
    const action = await dialAction(sim, 'no-answer');
    expect(action.status).toBe(200);
    expect(action.body).toContain('<Hangup/>');
    expect(action.body).not.toContain('<Stream');
  }, 20000);

  it('admin POST /end-call during "transferring": 200, the call ends admin, Twilio is told to hang up, slot freed', async () => {
    const { sim, session } = await connected();
    onRedirect(async (request) => {
      await sim.hangUp();
      return ok(request);
    });
    const sent = rest.requests.length;
    transfer(session, 'x-admin');
    await toolAnswer(session, 'x-admin');
    await rest.received(sent + 1, 8000);
    await new Promise((r) => setTimeout(r, 200));
    const res = await h.admin('/end-call', {
      method: 'POST',
      body: JSON.stringify({ callSid: sim.callSid }),
    });
    expect(res.status).toBe(200);
    const record = await ended(sim.callSid);
    expect(record.endReason).toBe('admin');
    expect(record.transfers).toEqual([
      expect.objectContaining({ state: 'not-answered' }),
    ]);
    await eventually(() =>
      rest.requests.some(
        (r) => r.callSid === sim.callSid && r.params.Status === 'completed',
      ),
    );
    await freed();
  }, 20000);

  it('transfer webhooks for unknown calls, replays, duplicates and odd values change nothing and never fault', async () => {
    const stranger = h.call({ callSid: `CA${'e'.repeat(32)}` });
    const unknown = await dialAction(stranger, 'no-answer');
    expect(unknown.status).toBe(200);
    expect(unknown.body).toContain('<Hangup/>');
    const whisperUnknown = await stranger.postForm(
      `/transfer-whisper?callSid=${stranger.callSid}&summary=hi`,
      stranger.callParams('in-progress'),
    );
    expect(whisperUnknown.status).toBe(200);
    for (const bad of ['Answered', '', 'no-answer ', 'queued', 'completed\n'])
      expect((await dialAction(stranger, bad)).status).toBe(400);
    const badSid = await stranger.postForm(
      '/transfer-whisper?callSid=CA123&summary=hi',
      {},
    );
    expect(badSid.status).toBe(400);

    // A live call talking to its agent: a (replayed) whisper and dial action must not touch it.
    const { sim } = await connected();
    const whisper = await sim.postForm(
      `/transfer-whisper?callSid=${sim.callSid}&summary=${encodeURIComponent('<Hangup/>&x=')}`,
      sim.callParams('in-progress'),
    );
    expect(whisper.status).toBe(200);
    expect(whisper.body).toContain('&lt;Hangup/&gt;&amp;x=');
    expect(whisper.body).not.toContain('<Hangup/>');
    await dialAction(sim, 'completed');
    await dialAction(sim, 'no-answer');
    await new Promise((r) => setTimeout(r, 300));
    expect((await recordOf(sim.callSid)).status).toBe('in-progress');
    expect(await live()).toBe(1);
    await sim.hangUp();
    expect((await ended(sim.callSid)).endReason).toBe('caller-hangup');
    await freed();
  }, 20000);

  it("odd summaries (markup, quotes, unicode, 10k characters): the redirect TwiML is well formed and within Twilio's 4000 characters, the whisper says the text", async () => {
    const summaries = [
      'She said "<b>hi</b>" & left; O\'Brien ]]> <!-- x --> %26 &amp;',
      '顧客は請求書について質問があります。'.repeat(40),
      '🙂'.repeat(5000),
      'x'.repeat(10_000),
    ];
    for (const [i, summary] of summaries.entries()) {
      const { sim, session } = await connected();
      const updates = rest.requests.length;
      onRedirect(async (request) => {
        await sim.hangUp();
        return ok(request);
      });
      transfer(session, `x-odd-${i}`, summary);
      await toolAnswer(session, `x-odd-${i}`);
      await rest.received(updates + 1, 8000);
      const twiml = rest.requests[updates].params.Twiml;
      expect(twiml.length).toBeLessThanOrEqual(4000);
      const dial = parseTwiml(twiml).root.children[0];
      expect(dial.name).toBe('Dial');
      const number = dial.children[0];
      expect(number.text.trim()).toBe(SALES);
      const url = new URL(number.attributes.url);
      expect(url.origin).toBe(PUBLIC_URL);
      expect([...url.searchParams.keys()]).toEqual(['callSid', 'summary']);
      const said = await sim.postForm(
        url.pathname + url.search,
        sim.callParams('in-progress'),
      );
      expect(said.status).toBe(200);
      const say = parseTwiml(said.body).root.children[0];
      expect(say.name).toBe('Say');
      expect(say.text.startsWith('Transferred call. ')).toBe(true);
      // Whatever was kept is the summary's own beginning, with no broken character.
      const kept = say.text.slice('Transferred call. '.length);
      expect(summary.trim().startsWith(kept)).toBe(true);
      expect(kept).not.toMatch(/\uFFFD/);
      expect((await ended(sim.callSid)).endReason).toBe('transferred');
    }
    await freed();
  }, 60000);

  it('end_call twice, then transfer_call: one hang-up, the others refused, nothing redirected', async () => {
    const { sim, session } = await connected();
    const sent = rest.requests.length;
    const call = (id: string, name: string, args: object) =>
      session.send({ toolCall: { functionCalls: [{ id, name, args }] } });
    call('e1', 'end_call', { reason: 'done' });
    call('e2', 'end_call', {});
    call('t1', 'transfer_call', { target: 'sales', reason: 'r', summary: 's' });
    expect(String((await toolAnswer(session, 'e1')).result)).toContain(
      'The call ends',
    );
    expect(String((await toolAnswer(session, 'e2')).error)).toMatch(
      /already ending/,
    );
    expect(String((await toolAnswer(session, 't1')).error)).toMatch(
      /already ending/,
    );
    expect((await ended(sim.callSid)).endReason).toBe('agent-hangup');
    expect(rest.requests.length).toBe(sent);
    await freed();
  }, 20000);

  it('the caller hangs up during the playout wait: no redirect is sent, the call ends caller-hangup, no transfer recorded', async () => {
    const { sim, session } = await connected();
    const sent = rest.requests.length;
    transfer(session, 'x-early');
    await toolAnswer(session, 'x-early');
    await sim.hangUp();
    const record = await ended(sim.callSid);
    expect(record.endReason).toBe('caller-hangup');
    expect(record.transfers ?? []).toEqual([]);
    await new Promise((r) => setTimeout(r, 2500)); // past the playout wait
    expect(rest.requests.length).toBe(sent);
    await freed();
  }, 20000);

  it('a fault in one call (its transfer refused) does not touch a neighbour call', async () => {
    const a = await connected(DESK);
    const b = await connected(OTHER);
    onRedirect((request) =>
      Promise.resolve(
        request.callSid === a.sim.callSid
          ? twilioError(404, 20404, 'The requested resource was not found')
          : ok(request),
      ),
    );
    transfer(a.session, 'x-a');
    await a.session.waitFor(
      (m) => JSON.stringify(m).includes('could not be started'),
      8000,
    );
    const marks = b.sim.marksReceived.length;
    b.session.speak({ kind: 'tone', hz: 440, amplitude: 8000, ms: 300 });
    await eventually(() => b.sim.marksReceived.length > marks, 3000);
    expect((await recordOf(b.sim.callSid)).status).toBe('in-progress');
    expect(await live()).toBe(2);
    await a.sim.hangUp();
    await b.sim.hangUp();
    await ended(a.sim.callSid);
    await ended(b.sim.callSid);
    await freed();
  }, 25000);
});
