import {
  EmulatorHarness,
  LiveClient,
  SETUP,
} from './live-test.client.test-helper';

/** Continuity as the emulator models the real server (PROTOCOLS.md "Gemini Live", field reports). */
describe('GeminiLiveEmulator continuity', () => {
  const h = new EmulatorHarness();
  const RESUMABLE = { setup: { ...SETUP.setup, sessionResumption: {} } };
  beforeEach(() =>
    h.start({
      apiKey: 'secret',
      speechThreshold: 1e9,
      reply: { kind: 'tone', ms: 400 },
    }),
  );
  afterEach(() => h.stop());

  const update = (client: LiveClient, after = 0) =>
    client.next(
      (m) =>
        m.sessionResumptionUpdate !== undefined &&
        client.messages.indexOf(m) >= after,
    );
  const note = (client: LiveClient, text: string) =>
    client.send({ clientContent: { turns: [{ parts: [{ text }] }] } });

  it('numbers client messages from 1 after setup and says which one each handle covers; a resume starts from exactly there', async () => {
    const first = await h.ready(RESUMABLE);
    const initial = await update(first);
    expect(
      initial.sessionResumptionUpdate?.lastConsumedClientMessageIndex,
    ).toBe('0');
    note(first, 'one');
    note(first, 'two');
    first.send({ realtimeInput: { text: 'three' } }); // starts a reply: no handle while it streams
    await first.next((m) => m.serverContent?.modelTurn !== undefined);
    const mark = first.messages.length;
    note(first, 'four');
    await first.next((m) => m.serverContent?.turnComplete === true);
    const after = await update(first, mark);
    const turnEnd = first.messages.findIndex(
      (m) => m.serverContent?.turnComplete,
    );
    expect(first.messages.indexOf(after)).toBeGreaterThan(turnEnd);
    expect(after.sessionResumptionUpdate?.lastConsumedClientMessageIndex).toBe(
      '4',
    );
    const handle = after.sessionResumptionUpdate?.newHandle;
    note(first, 'five (not in the handle)');
    await h.emulator.sessions[0].waitFor((m) =>
      JSON.stringify(m).includes('five'),
    );
    const second = await h.ready({
      setup: { ...RESUMABLE.setup, sessionResumption: { handle } },
    });
    note(second, 'six');
    const resumed = h.emulator.sessions[1];
    await resumed.waitFor((m) => JSON.stringify(m).includes('six'));
    const texts = resumed
      .history()
      .map(
        (m) =>
          m.clientContent?.turns?.[0].parts?.[0].text ?? m.realtimeInput?.text,
      );
    expect(texts).toEqual(['one', 'two', 'three', 'four', 'six']);
    expect(resumed.resumedAt?.index).toBe(4);
    expect(second.ws.readyState).toBe(second.ws.OPEN);
  });

  it('after goAway the connection keeps streaming its current reply until timeLeft is up, then closes 1011', async () => {
    h.emulator.options.reply = { kind: 'tone', ms: 4000 }; // streams in 2 s (20 ms per 40 ms chunk)
    const client = await h.ready(RESUMABLE);
    const session = h.emulator.sessions[0];
    const reply = session.speak();
    await client.next((m) => m.serverContent?.modelTurn !== undefined);
    session.goAway('1s');
    const goAwayAt = client.messages.length;
    const closed = await client.closed;
    expect(closed.code).toBe(1011);
    const afterGoAway = client.messages
      .slice(goAwayAt)
      .filter((m) => m.serverContent?.modelTurn).length;
    expect(afterGoAway).toBeGreaterThan(15); // ~1 s of 40 ms chunks kept coming
    expect(reply?.outcome).toBe('closed');
  });

  it('a tool call belongs to its connection: an answer on another connection is ignored', async () => {
    const first = await h.ready(RESUMABLE);
    const issuer = h.emulator.sessions[0];
    const handle = (await update(first)).sessionResumptionUpdate?.newHandle;
    issuer.send({
      toolCall: { functionCalls: [{ id: 'c-1', name: 'lookup', args: {} }] },
    });
    const second = await h.ready({
      setup: { ...RESUMABLE.setup, sessionResumption: { handle } },
    });
    const other = h.emulator.sessions[1];
    const answer = { id: 'c-1', name: 'lookup', response: { ok: true } };
    second.send({ toolResponse: { functionResponses: [answer] } });
    await other.waitFor((m) => m.toolResponse !== undefined);
    expect(other.toolResponses).toEqual([]);
    expect(other.strayToolResponses).toEqual([answer]);
    expect(other.replies).toEqual([]); // no reply to an answer it never asked for
    first.send({ toolResponse: { functionResponses: [answer] } });
    await first.next((m) => m.serverContent?.turnComplete === true);
    expect(issuer.toolResponses).toEqual([answer]);
  });

  it('refuses scripted setups, and (optionally) a resume while the issuing connection is open', async () => {
    h.emulator.refuseNextSetups(2, 1011, 'overloaded');
    for (let i = 0; i < 2; i++) {
      const refused = await h.connect();
      refused.send(RESUMABLE);
      expect(await refused.closed).toEqual({
        code: 1011,
        reason: 'overloaded',
      });
    }
    const first = await h.ready(RESUMABLE);
    const handle = (await update(first)).sessionResumptionUpdate?.newHandle;
    h.emulator.options.refuseResumeWhileIssuerOpen = true;
    const early = await h.connect();
    early.send({
      setup: { ...RESUMABLE.setup, sessionResumption: { handle } },
    });
    expect((await early.closed).code).toBe(1011);
    first.ws.close();
    await h.emulator.sessions[2].closed;
    await h.ready({
      setup: { ...RESUMABLE.setup, sessionResumption: { handle } },
    });
    expect(h.emulator.sessions.at(-1)?.resumedFrom).toBe(handle);
  });
});
