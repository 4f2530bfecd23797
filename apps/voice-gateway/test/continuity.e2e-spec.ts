import { EmulatedLiveSession as EmulatedSession } from '@app/simulators';
import {
  ADMIN_KEY,
  CallHarness,
  eventually,
  startCallHarness,
} from './support/call-harness';

interface Arrival {
  at: number;
}

/** Calls survive Gemini's connection limits and faults (goAway, a killed upstream), or end politely. */
describe('Gemini session continuity (real app, emulator, simulated Twilio)', () => {
  let h: CallHarness;
  const arrivals = new Map<EmulatedSession, Arrival[]>();

  beforeAll(async () => {
    // No automatic replies: these tests watch the caller's audio only.
    h = await startCallHarness({}, { speechThreshold: 1e9 });
    h.emulator.onSession((remote) => {
      const list: Arrival[] = [];
      arrivals.set(remote, list);
      remote.onMessage((m) => {
        if (m.realtimeInput?.audio) list.push({ at: performance.now() });
      });
    });
  });

  afterAll(() => h.close());

  async function liveCall() {
    const before = h.emulator.sessions.length;
    const call = h.call({ idleSilence: false });
    expect((await call.placeCall()).stream).toBe(true);
    const first = await h.emulator.waitForSession(
      3000,
      (s) => h.emulator.sessions.indexOf(s) >= before,
    );
    await first.waitFor(() => first.handles.length > 0);
    return { call, first, sessions: () => h.emulator.sessions.slice(before) };
  }

  /** Caller frames that reached Gemini across every connection of the call, and the longest pause. */
  function delivered(sessions: EmulatedSession[]): {
    frames: number;
    gapMs: number;
  } {
    const times = sessions
      .flatMap((s) => (arrivals.get(s) ?? []).map((a) => a.at))
      .sort((a, b) => a - b);
    let gapMs = 0;
    for (let i = 1; i < times.length; i++)
      gapMs = Math.max(gapMs, times[i] - times[i - 1]);
    return { frames: times.length, gapMs };
  }

  it.each([
    ['goAway', (s: EmulatedSession) => s.goAway('3s')],
    ['a killed upstream connection', (s: EmulatedSession) => s.kill()],
  ])(
    '%s mid-call: the call stays up, no caller audio is lost, the gap is ≤ 200 ms',
    async (_, fault) => {
      const { call, first, sessions } = await liveCall();
      const speaking = call.sendTone(440, 2000, 6000); // 100 frames
      await new Promise((r) => setTimeout(r, 600));
      fault(first);
      await speaking;
      await eventually(() => delivered(sessions()).frames >= 100, 2000);
      const { frames, gapMs } = delivered(sessions());
      expect(frames).toBe(100);
      expect(gapMs).toBeLessThanOrEqual(200);
      expect(sessions()).toHaveLength(2);
      expect(sessions()[1].resumedFrom).toBeDefined();
      const live = (await (await h.admin('/calls')).json()) as {
        calls: Array<{ callSid: string }>;
      };
      expect(live.calls.map((c) => c.callSid)).toContain(call.callSid);
      console.log(
        `${_}: ${frames} frames delivered, longest gap ${gapMs.toFixed(1)} ms`,
      );
      await call.hangUp();
    },
    15000,
  );

  it('when Gemini cannot be reached again, the caller hears the apology and the call ends cleanly', async () => {
    const { call, first } = await liveCall();
    h.emulator.options.apiKey = 'revoked'; // every reconnect is refused with 1007
    first.close(1011, 'internal error');
    const closed = await call.closed;
    expect(closed.code).toBe(1000);
    const clearAt = call.received.findIndex((m) => m.event === 'clear');
    const afterClear = call.received.slice(clearAt + 1);
    expect(afterClear.map((m) => m.event)).toEqual(
      expect.arrayContaining(['media', 'mark']),
    );
    expect(call.marksEchoed.map((m) => m.name)).toContain('goodbye');
    // The apology actually played: about 4.8 s of audio was heard.
    let audible = 0;
    const heard = call.heardAudio();
    for (let i = 0; i < heard.length; i += 80)
      if (Math.abs(heard[i]) > 300) audible += 10;
    expect(audible).toBeGreaterThan(1500);
    const record = (await (
      await fetch(`${h.baseUrl}/calls/${call.callSid}`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      })
    ).json()) as Record<string, unknown>;
    expect(record).toMatchObject({
      status: 'completed',
      endReason: 'agent-closed',
    });
    h.emulator.options.apiKey = 'test-gemini-key';
  }, 20000);
});
