import {
  EmulatedLiveSession,
  parseTwiml,
  TwilioCallSimulator,
} from '@app/simulators';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CallHarness,
  callTimings,
  eventually,
  PUBLIC_URL,
  startCallHarness,
} from './support/call-harness';
import {
  ok,
  ScriptedRestRequest,
  ScriptedTwilioRest,
  twilioError,
} from './support/scripted-twilio-rest';

const ACCOUNT_SID = `AC${'2'.repeat(32)}`;
const SALES = '+14155550123';
const DESK = '+15550000300';
const OTHER = '+15550000301';
/** The return stream's token (and so the wait for it) lives this long here (ms). */
const TOKEN_TTL_MS = 2500;

type Json = Record<string, unknown>;

/**
 * Attacks on the agent's call control with Twilio played by hand: the REST API answers what (and
 * when) the test says (ScriptedTwilioRest), and the test sends the stream's `stop`, the `<Dial
 * action>` and the whisper itself, so events can come in any order, late, twice, or never. Inbound
 * calls with no status callback (a number configured without one), where nothing but the service
 * itself ends a call whose caller is gone.
 */
describe('Call control under attack: Twilio played by hand (races, failures, replays)', () => {
  let h: CallHarness;
  let rest: ScriptedTwilioRest;
  const dir = mkdtempSync(join(tmpdir(), 'vg-attack-'));

  beforeAll(async () => {
    const profiles = join(dir, 'profiles.json');
    writeFileSync(
      profiles,
      JSON.stringify({
        default: {
          name: 'desk',
          greeting: 'Hello.',
          tools: ['end_call', 'transfer_call'],
          transferTargets: { sales: SALES },
        },
      }),
    );
    rest = await ScriptedTwilioRest.start();
    h = await startCallHarness(
      {
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_API_BASE_URL: rest.url,
        AGENT_PROFILES_FILE: profiles,
        MAX_CONCURRENT_CALLS: '3',
      },
      {
        chunkIntervalMs: 20,
        reply: (context) => ({
          kind: 'tone',
          hz: 440,
          amplitude: 8000,
          ms: context.toolResponse ? 300 : 400,
        }),
      },
      undefined,
      [
        callTimings({ streamTokenTtlMs: TOKEN_TTL_MS }),
        // This file polls records far more often than an operator would.
        {
          token: 'THROTTLER:MODULE_OPTIONS',
          value: {
            throttlers: [
              { name: 'default', ttl: 60_000, limit: 100_000 },
              { name: 'twilio-failures', ttl: 60_000, limit: 300 },
            ],
          },
        },
      ],
    );
  });

  afterAll(async () => {
    await h?.close();
    await rest?.close();
    rmSync(dir, { recursive: true, force: true });
    for (const name of ['TWILIO_API_BASE_URL', 'AGENT_PROFILES_FILE'])
      process.env[name] = '';
  });

  beforeEach(() => {
    rest.answer = (request) => Promise.resolve(ok(request));
  });

  // A test that fails must not take the next one's slots: end whatever it left live.
  afterEach(async () => {
    const { calls } = (await (await h.admin('/calls')).json()) as {
      calls: Array<{ callSid: string }>;
    };
    for (const { callSid } of calls)
      await h.admin('/end-call', {
        method: 'POST',
        body: JSON.stringify({ callSid }),
      });
  });

  const live = async (): Promise<number> => {
    const body = (await (await fetch(`${h.baseUrl}/health`)).json()) as {
      checks: { capacity: { live: number } };
    };
    return body.checks.capacity.live;
  };
  /** Every slot free again (the record is final a moment before the slot is released). */
  const freed = (): Promise<boolean> =>
    eventually(async () => (await live()) === 0, 3000, 100);
  const recordOf = async (callSid: string): Promise<Json> =>
    (await (await h.admin(`/calls/${callSid}`)).json()) as Json;
  const ended = (callSid: string, timeoutMs = 8000): Promise<Json> =>
    eventually(
      async () => {
        const record = await recordOf(callSid);
        return record.endReason ? record : undefined;
      },
      timeoutMs,
      100,
    );

  /** An inbound call to the desk, greeted and heard. */
  async function connected(to = DESK): Promise<{
    sim: TwilioCallSimulator;
    session: EmulatedLiveSession;
  }> {
    const before = h.emulator.sessions.length;
    const sim = h.call({ to });
    const placed = await sim.placeCall();
    expect(placed.stream).toBe(true);
    const session = await h.emulator.waitForSession(
      3000,
      (s) => h.emulator.sessions.indexOf(s) >= before,
    );
    await eventually(() => sim.firstAudioAtMs !== undefined, 5000);
    await eventually(() => !sim.playing && sim.marksEchoed.length > 0, 5000);
    return { sim, session };
  }

  function transfer(
    session: EmulatedLiveSession,
    id: string,
    summary = 'Dana wants a quote.',
  ): void {
    session.send({
      toolCall: {
        functionCalls: [
          {
            id,
            name: 'transfer_call',
            args: { target: 'sales', reason: 'quote', summary },
          },
        ],
      },
    });
  }

  async function toolAnswer(
    session: EmulatedLiveSession,
    id: string,
  ): Promise<Json> {
    await session.waitFor(
      (m) => JSON.stringify(m.toolResponse ?? {}).includes(`"${id}"`),
      3000,
    );
    const found = session.toolResponses.find((r) => r.id === id) as unknown as {
      response: Json;
    };
    return found.response;
  }

  /** The REST update the transfer sends, answered by `answer` (after the test's own actions). */
  function onRedirect(
    answer: (request: ScriptedRestRequest) => Promise<ReturnType<typeof ok>>,
  ): void {
    rest.answer = (request) =>
      request.params.Twiml !== undefined
        ? answer(request)
        : Promise.resolve(ok(request));
  }

  /**
   * A connected call whose agent transfers it (tool call `id`): Twilio takes the redirect and stops
   * the stream, and the transfer is on the record as dialling.
   */
  async function dialling(id: string) {
    const { sim, session } = await connected();
    onRedirect(async (request) => {
      await sim.hangUp();
      return ok(request);
    });
    const sent = rest.requests.length;
    transfer(session, id);
    await toolAnswer(session, id);
    await rest.received(sent + 1, 8000);
    await eventually(
      async () => {
        const r = await recordOf(sim.callSid);
        return ((r.transfers as Json[] | undefined) ?? []).length === 1;
      },
      3000,
      100,
    );
    return { sim, session };
  }

  const dialAction = (sim: TwilioCallSimulator, status: string) =>
    sim.postForm('/transfer-status', {
      ...sim.callParams('in-progress'),
      DialCallStatus: status,
    });

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

describe('Call control profiles at boot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vg-attack-boot-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    process.env.AGENT_PROFILES_FILE = '';
  });

  const boot = (name: string, profiles: object) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(profiles));
    return startCallHarness({
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      AGENT_PROFILES_FILE: file,
    });
  };

  it('a profile listing transfer_call without transferTargets stops the start with a clear message', async () => {
    await expect(
      boot('no-targets', {
        default: { name: 'desk', tools: ['end_call'] },
        numbers: { [DESK]: { name: 'x', tools: ['transfer_call'] } },
      }),
    ).rejects.toThrow(
      /\+15550000300: transfer_call: the profile lists transfer_call but has no transferTargets/,
    );
  }, 20000);

  it('a transfer target named "__proto__" stops the start (it is not silently dropped)', async () => {
    // Written by hand: JSON.stringify would not keep a __proto__ key.
    const file = join(dir, 'proto.json');
    writeFileSync(
      file,
      '{"default":{"name":"desk","tools":["transfer_call"],"transferTargets":{"__proto__":"+14155550199","sales":"+14155550123"}}}',
    );
    process.env.AGENT_PROFILES_FILE = file;
    await expect(
      startCallHarness({
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        AGENT_PROFILES_FILE: file,
      }),
    ).rejects.toThrow(/transferTargets\.__proto__: reserved name/);
  }, 20000);
});
