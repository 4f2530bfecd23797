import { CallHarness, startCallHarness } from './support/call-harness';
import {
  agentAudio,
  agentAudioHeard,
  agentTone,
  expectAudioBothWays,
  expectServing,
  LiveCall,
  liveCallSids,
  placeLiveCall,
} from './support/fault-calls';

/** The valid reply sent after a bad frame: 240 ms, 1920 samples at the phone. */
const REPLY_MS = 240;
const REPLY_SAMPLES = 1920;
/** Filter delay and rounding; a bad frame that was played adds hundreds of samples or more. */
const SLACK_SAMPLES = 80;
/** One second of 24 kHz audio: whatever rate it is played at, far more than the slack. */
const BAD_AUDIO = agentTone(1000, 1000);

const inlineData = (data: unknown, mimeType = 'audio/pcm;rate=24000') => ({
  serverContent: { modelTurn: { parts: [{ inlineData: { mimeType, data } }] } },
});

/**
 * Faults that come from the agent's side of one call (a tool's result, a Gemini frame the bridge
 * cannot use): the message is answered with an error or dropped, and that call goes on. A
 * neighbour call on the same app is never disturbed.
 */
describe('Agent-side faults in one call (real app, emulator, simulated Twilio)', () => {
  let h: CallHarness;
  let neighbour: LiveCall;
  let faulty: LiveCall;

  beforeEach(async () => {
    h = await startCallHarness({}, { replyToToolResponses: false }, () =>
      import('./support/faulty-tools.module').then((m) => [
        m.FaultyToolsModule,
      ]),
    );
    neighbour = await placeLiveCall(h);
    faulty = await placeLiveCall(h);
  });

  afterEach(async () => {
    await Promise.all([neighbour?.call.hangUp(), faulty?.call.hangUp()]);
    await h.close();
  });

  /** The app serves, the faulty call is still live, and the neighbour's audio flows both ways. */
  async function expectOthersUntouched(): Promise<void> {
    await expectServing(h);
    await expectAudioBothWays(neighbour, 660);
    expect(await liveCallSids(h)).toEqual(
      expect.arrayContaining([neighbour.call.callSid, faulty.call.callSid]),
    );
  }

  /**
   * Sends `frame` and then a valid reply on the faulty call: only the reply reaches the caller
   * (nothing of the frame, no `clear`), no reconnect to Gemini follows, and the call goes on.
   */
  async function expectDropped(frame: string | Buffer): Promise<void> {
    const sessions = h.emulator.sessions.length;
    const from = faulty.call.received.length;
    expect(faulty.session.sendRaw(frame)).toBe(true);
    faulty.session.send(agentAudio(agentTone(440, REPLY_MS)));
    const sent = await agentAudioHeard(faulty.call, from, 440, REPLY_MS);
    expect(sent.length).toBeLessThanOrEqual(REPLY_SAMPLES + SLACK_SAMPLES);
    const events = faulty.call.received.slice(from).map((m) => m.event);
    expect(events).not.toContain('clear');
    expect(faulty.call.protocolErrors).toEqual([]);
    await expectAudioBothWays(faulty, 550);
    expect(faulty.session.isOpen).toBe(true);
    await expectOthersUntouched();
    // Checked last, so a reconnect the frame set off has had time to reach the emulator.
    expect(h.emulator.sessions.length).toBe(sessions);
  }

  it.each([
    ['returns a BigInt', 'bigint_result'],
    ['returns a circular object', 'circular_result'],
    ['throws synchronously', 'throws_sync'],
    ['rejects', 'rejects'],
  ])(
    'a tool that %s: Gemini gets an error response with the call id, and the call goes on',
    async (_, name) => {
      const id = `fault-${name}`;
      faulty.session.send({
        toolCall: { functionCalls: [{ id, name, args: {} }] },
      });
      await faulty.session.waitFor(
        (m) =>
          (m.toolResponse?.functionResponses ?? []).some((r) => r.id === id),
        3000,
      );
      expect(faulty.session.toolResponses.find((r) => r.id === id)).toEqual({
        id,
        name,
        response: { error: expect.stringMatching(/\S/) as string },
      });
      await expectAudioBothWays(faulty, 440);
      expect(faulty.session.isOpen).toBe(true);
      await expectOthersUntouched();
    },
    15000,
  );

  it.each([
    ['an unsupported rate (191999 Hz)', 'audio/pcm;rate=191999'],
    ['rate 0', 'audio/pcm;rate=0'],
    ['a garbled rate (rate=abc)', 'audio/pcm;rate=abc'],
    ['a type that is not PCM (audio/mpeg)', 'audio/mpeg'],
  ])(
    'Gemini audio with %s is dropped, and the call goes on',
    async (_, mimeType) => {
      await expectDropped(JSON.stringify(agentAudio(BAD_AUDIO, mimeType)));
    },
    15000,
  );

  it('Gemini audio whose data is not base64 is dropped, and the call goes on', async () => {
    await expectDropped(JSON.stringify(inlineData('@@@@not*base64!!')));
  }, 15000);

  it.each([
    ['a text frame', '{"serverContent":{"modelTurn":'],
    ['a binary frame', Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x80, 0x22])],
  ])(
    'a Gemini frame that is not JSON (%s) is dropped, and the call goes on',
    async (_, frame) => {
      await expectDropped(frame);
    },
    15000,
  );

  it.each([
    ['serverContent: "x"', { serverContent: 'x' }],
    ['modelTurn.parts: 5', { serverContent: { modelTurn: { parts: 5 } } }],
    ['inlineData.data: 42', inlineData(42)],
    ['toolCall.functionCalls: {}', { toolCall: { functionCalls: {} } }],
    ['interrupted: "yes"', { serverContent: { interrupted: 'yes' } }],
    ['goAway: 7', { goAway: 7 }],
    ['null for the whole frame', null],
  ])(
    'a Gemini frame with %s is dropped, and the call goes on',
    async (_, message) => {
      await expectDropped(JSON.stringify(message));
    },
    15000,
  );
});
