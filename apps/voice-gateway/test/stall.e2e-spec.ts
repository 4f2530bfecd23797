import { STALL_NUDGE_TEXT, PROMPTS } from '@app/media-gateway';
import { EmulatedLiveSession as EmulatedSession } from '@app/simulators';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CallHarness,
  eventually,
  startCallHarness,
} from './support/call-harness';

/** The stall timeout for these tests (AGENT_STALL_TIMEOUT_MS), ms. */
const STALL_MS = 800;
/** A number whose profile uses the extended-thinking model. */
const THINKER = '+15550005555';

type Call = ReturnType<CallHarness['call']>;

/**
 * Never stuck in silence: the stall watchdog against the real app, the emulator (scripted silent,
 * or thinking) and simulated Twilio.
 */
describe('Stall watchdog (real app, emulator, simulated Twilio)', () => {
  let h: CallHarness;
  const dir = mkdtempSync(join(tmpdir(), 'vg-stall-'));
  const profilesFile = join(dir, 'profiles.json');

  beforeAll(async () => {
    writeFileSync(
      profilesFile,
      JSON.stringify({
        default: { name: 'front-desk' },
        numbers: {
          [THINKER]: {
            name: 'thinker',
            model: 'gemini-3.8-live-extended-thinking',
          },
        },
      }),
    );
    h = await startCallHarness(
      {
        AGENT_PROFILES_FILE: profilesFile,
        AGENT_STALL_TIMEOUT_MS: String(STALL_MS),
      },
      { reply: { kind: 'tone', ms: 400 }, chunkIntervalMs: 40 },
    );
  });

  afterEach(() => {
    Object.assign(h.emulator.options, { silent: false, thinkingMs: 0 });
  });

  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function placeCall(
    to?: string,
  ): Promise<{ call: Call; session: EmulatedSession }> {
    const before = h.emulator.sessions.length;
    const call = h.call(to ? { to } : {});
    expect((await call.placeCall()).stream).toBe(true);
    const session = await h.emulator.waitForSession(
      3000,
      (s) => h.emulator.sessions.indexOf(s) >= before,
    );
    await eventually(() => session.handles.length > 0);
    return { call, session };
  }

  /** The caller says something (600 ms of speech); resolves once the model has heard the turn. */
  async function callerTurn(call: Call, session: EmulatedSession) {
    await call.sendTone(300, 600, 8000);
    await session.waitFor(() =>
      session.sent.some(
        (m) =>
          (m as { serverContent?: { inputTranscription?: unknown } })
            .serverContent?.inputTranscription,
      ),
    );
    return performance.now();
  }

  const nudges = (session: EmulatedSession) =>
    session.received.filter((m) => m.realtimeInput?.text === STALL_NUDGE_TEXT);
  const promptsPlayed = (call: Call) =>
    call.received.filter(
      (m) => m.message.media?.payload === PROMPTS.oneMomentPlease,
    );

  async function transcript(callSid: string): Promise<string[]> {
    const body = (await (await h.admin(`/calls/${callSid}`)).json()) as {
      transcript: Array<{ role: string; text: string }>;
    };
    return body.transcript.map((t) => `${t.role}: ${t.text}`);
  }

  async function stalls(outcome: string): Promise<number> {
    const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`agent_stalls_total{outcome="${outcome}"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  it('a silent model: nudged once after the timeout, then the caller hears "one moment, please"; counted and on the transcript', async () => {
    h.emulator.options.silent = true;
    const before = await stalls('prompted');
    const { call, session } = await placeCall();
    const heardAt = await callerTurn(call, session);
    await session.waitFor((m) => m.realtimeInput?.text === STALL_NUDGE_TEXT);
    const nudgedAfter = performance.now() - heardAt;
    await eventually(() => promptsPlayed(call).length > 0, 3000);
    const promptedAfter = performance.now() - heardAt;
    console.log(
      `stall: nudge ${nudgedAfter.toFixed(0)} ms and prompt ${promptedAfter.toFixed(0)} ms after the caller's turn (timeout ${STALL_MS} ms)`,
    );
    expect(nudgedAfter).toBeGreaterThanOrEqual(STALL_MS - 150);
    expect(promptedAfter).toBeGreaterThanOrEqual(2 * STALL_MS - 150);
    expect(nudges(session)).toHaveLength(1);
    expect(await stalls('prompted')).toBe(before + 1);
    const lines = await eventually(async () => {
      const all = await transcript(call.callSid);
      return all.some((l) => l.includes('one moment')) ? all : undefined;
    });
    expect(lines).toEqual([
      expect.stringMatching(/^caller: caller spoke/),
      'system: agent silent 0.8 s after the caller: asked it to answer',
      'system: agent still silent 0.8 s after the nudge: played "one moment, please"',
    ]);
    await eventually(() => !call.playing, 3000); // the prompt plays out
    await call.hangUp();
  });

  it('a nudge that works: the agent answers it and no prompt plays', async () => {
    h.emulator.options.silent = 'audio'; // deaf to the caller's turn, answers the nudge
    const before = await stalls('nudged');
    const { call, session } = await placeCall();
    await callerTurn(call, session);
    await session.waitFor((m) => m.realtimeInput?.text === STALL_NUDGE_TEXT);
    await eventually(() => session.replies[0]?.outcome === 'complete', 3000);
    await new Promise((r) => setTimeout(r, 2 * STALL_MS));
    expect(session.replies.map((r) => r.trigger)).toEqual(['text']);
    expect(promptsPlayed(call)).toEqual([]);
    expect(nudges(session)).toHaveLength(1);
    expect(await stalls('nudged')).toBe(before + 1);
    await call.hangUp();
  });

  it('extended thinking: no nudge while the model reports IN_PROGRESS, however long it thinks', async () => {
    h.emulator.options.thinkingMs = 3 * STALL_MS;
    const { call, session } = await placeCall(THINKER);
    expect(session.setup?.model).toBe(
      'models/gemini-3.8-live-extended-thinking',
    );
    await callerTurn(call, session);
    await eventually(() => session.replies[0]?.outcome === 'complete', 5000);
    await new Promise((r) => setTimeout(r, STALL_MS + 200));
    expect(nudges(session)).toEqual([]);
    expect(promptsPlayed(call)).toEqual([]);
    expect(session.replies.map((r) => r.trigger)).toEqual(['audio']);
    await call.hangUp();
  });
});
