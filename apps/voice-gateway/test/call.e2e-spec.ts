import {
  CallHarness,
  eventually,
  loudestWindow,
  startCallHarness,
  toneAmplitude,
} from './support/call-harness';

const db = (ratio: number): number => 20 * Math.log10(ratio);

describe('A phone call end to end (real app, WsAdapter, emulator, simulated Twilio)', () => {
  let h: CallHarness;

  beforeAll(async () => {
    h = await startCallHarness(
      {},
      { reply: { kind: 'tone', hz: 440, amplitude: 8000, ms: 600 } },
    );
  });

  afterAll(async () => {
    await h.close();
  });

  /** Places a call and returns it with the Gemini session opened for it. */
  async function placeCall() {
    const before = h.emulator.sessions.length;
    const call = h.call();
    const placed = await call.placeCall();
    expect(placed.stream).toBe(true);
    const session = await h.emulator.waitForSession(
      3000,
      (s) => h.emulator.sessions.indexOf(s) >= before,
    );
    return { call, session };
  }

  async function recordOf(callSid: string): Promise<Record<string, unknown>> {
    return (await (await h.admin(`/calls/${callSid}`)).json()) as Record<
      string,
      unknown
    >;
  }

  async function untilNoLiveCalls(): Promise<void> {
    await eventually(async () =>
      (await liveCalls()).length === 0 ? true : undefined,
    );
  }

  async function liveCalls(): Promise<Array<{ callSid: string }>> {
    const res = await h.admin('/calls');
    return ((await res.json()) as { calls: Array<{ callSid: string }> }).calls;
  }

  it("carries a 1 kHz caller tone to Gemini at 16 kHz, and Gemini's 24 kHz reply back at pitch and level", async () => {
    const { call, session } = await placeCall();
    await call.sendTone(1000, 500, 8000);
    await call.sendSilence(400);
    // The reply (600 ms of 440 Hz) plays in real time at the simulated phone.
    await eventually(
      () => (session.replies.length > 0 ? true : undefined),
      3000,
    );
    await call.sendSilence(900);

    const heardByGemini = session.callerAudio();
    const [from, to] = loudestWindow(heardByGemini, 16000, 400);
    expect(
      db(toneAmplitude(heardByGemini, 1000, 16000, from, to) / 8000),
    ).toBeGreaterThan(-0.5);
    expect(toneAmplitude(heardByGemini, 500, 16000, from, to)).toBeLessThan(80); // no stray pitch

    const heardByCaller = call.heardAudio();
    const [rFrom, rTo] = loudestWindow(heardByCaller, 8000, 400);
    expect(
      Math.abs(db(toneAmplitude(heardByCaller, 440, 8000, rFrom, rTo) / 8000)),
    ).toBeLessThan(0.5);
    expect(toneAmplitude(heardByCaller, 880, 8000, rFrom, rTo)).toBeLessThan(
      80,
    );
    expect(call.protocolErrors).toEqual([]);
    expect(session.violations).toEqual([]);
    // Every mark the service sent came back once its audio had played.
    await eventually(
      () =>
        call.marksEchoed.length === call.marksReceived.length &&
        call.marksEchoed.length > 0,
    );

    const record = await eventually(async () => {
      const body = (await (await h.admin(`/calls/${call.callSid}`)).json()) as {
        transcript: Array<{ role: string; text: string }>;
      };
      return body.transcript.some((t) => t.role === 'agent') ? body : undefined;
    });
    expect(record.transcript.map((t) => t.role)).toEqual(['caller', 'agent']);
    expect(record.transcript[0].text).toMatch(/^caller spoke \d+ ms$/);

    await call.hangUp();
    await eventually(async () =>
      (await liveCalls()).length === 0 ? true : undefined,
    );
    await session.closed;
  }, 15000);

  it('barge-in: interrupted from Gemini becomes a clear to Twilio at once, and queued audio is dropped', async () => {
    h.emulator.options.reply = {
      kind: 'tone',
      hz: 440,
      amplitude: 8000,
      ms: 3000,
    };
    const { call, session } = await placeCall();
    await call.sendTone(1000, 300, 8000);
    await call.sendSilence(400);
    // Reply chunks arrive faster than real time, so most of the 3 s reply is queued at "Twilio".
    await eventually(
      () => (call.firstAudioAtMs !== undefined ? true : undefined),
      3000,
    );
    await call.sendSilence(300);
    const interruptedSeen = session.sent.length;
    await call.sendTone(1000, 300, 8000); // the caller talks over the agent
    await eventually(
      () => (call.clearsAtMs.length > 0 ? true : undefined),
      3000,
    );
    const interruptIndex = session.sent.findIndex(
      (m) =>
        (m as { serverContent?: { interrupted?: boolean } }).serverContent
          ?.interrupted === true,
    );
    expect(interruptIndex).toBeGreaterThanOrEqual(0);
    expect(interruptIndex).toBeGreaterThanOrEqual(interruptedSeen - 1);
    const clearIndex = call.received.findIndex((m) => m.event === 'clear');
    const mediaAfterClear = call.received
      .slice(clearIndex + 1)
      .filter((m) => m.event === 'media');
    expect(mediaAfterClear).toEqual([]);
    await call.sendSilence(200);
    // The caller heard well under the 3 s that was sent.
    const heard = call.heardAudio();
    let agentSamples = 0;
    for (let i = 0; i < heard.length; i += 80)
      if (Math.abs(heard[i]) > 1000) agentSamples += 80;
    expect(agentSamples / 8000).toBeLessThan(2);
    await call.hangUp();
  }, 15000);

  it('DTMF reaches the agent as text and the transcript', async () => {
    h.emulator.options.reply = {
      kind: 'tone',
      hz: 440,
      amplitude: 8000,
      ms: 200,
    };
    const { call, session } = await placeCall();
    call.sendDtmf('7');
    await session.waitFor((m) => JSON.stringify(m).includes('7 key'));
    const record = await eventually(async () => {
      const body = (await (await h.admin(`/calls/${call.callSid}`)).json()) as {
        transcript: Array<{ role: string; text: string }>;
      };
      return body.transcript.find((t) => t.role === 'system')
        ? body
        : undefined;
    });
    expect(record.transcript.find((t) => t.role === 'system')?.text).toBe(
      'DTMF 7',
    );
    await call.hangUp();
  });

  it('caller hang-up cleans up once: registry empty, Gemini session closed, record ended', async () => {
    const { call, session } = await placeCall();
    await call.sendSilence(100);
    await call.hangUp();
    await session.closed;
    await untilNoLiveCalls();
    const record = await recordOf(call.callSid);
    expect(record).toMatchObject({
      status: 'completed',
      endReason: 'caller-hangup',
    });
  });

  it('admin: lists the live call, ends it (the stream closes), 401 without the key, 404 for unknown calls', async () => {
    const { call, session } = await placeCall();
    await call.sendSilence(100);
    expect((await liveCalls()).map((c) => c.callSid)).toEqual([call.callSid]);

    expect((await fetch(`${h.baseUrl}/calls`)).status).toBe(401);
    const unknown = await h.admin('/end-call', {
      method: 'POST',
      body: JSON.stringify({ callSid: 'CA' + 'f'.repeat(32) }),
    });
    expect(unknown.status).toBe(404);

    const ended = await h.admin('/end-call', {
      method: 'POST',
      body: JSON.stringify({ callSid: call.callSid }),
    });
    expect(ended.status).toBe(200);
    expect((await call.closed).code).toBe(1000);
    await session.closed;
    expect(await liveCalls()).toEqual([]);
    const record = (await (
      await h.admin(`/calls/${call.callSid}`)
    ).json()) as Record<string, unknown>;
    expect(record).toMatchObject({ status: 'completed', endReason: 'admin' });
  });
});
