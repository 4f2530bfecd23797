import WebSocket from 'ws';
import { GEMINI_LIVE_PATH } from './gemini-live.emulator';
import { int16ToBase64 } from '../audio/pcm.util';
import { EmulatorHarness, SETUP } from './live-test.client.test-helper';

describe('GeminiLiveEmulator', () => {
  const h = new EmulatorHarness();
  beforeEach(() =>
    h.start({ apiKey: 'secret', reply: { kind: 'tone', ms: 400 } }),
  );
  afterEach(() => h.stop());

  it('closes 1007 on a wrong key, records the key and no setup', async () => {
    const client = await h.connect(`${GEMINI_LIVE_PATH}?key=wrong`);
    client.send(SETUP);
    const closed = await client.closed;
    expect(closed.code).toBe(1007);
    expect(closed.reason).toMatch(/API key not valid/);
    const session = await h.emulator.waitForSession();
    expect(session.setup).toBeUndefined();
    expect(session.credential).toEqual({
      type: 'apiKey',
      value: 'wrong',
      via: 'query',
    });
  });

  it('accepts the double-slash path with a header key and 404s other paths', async () => {
    const client = await h.connect(`/${GEMINI_LIVE_PATH}`, {
      'x-goog-api-key': 'secret',
    });
    client.send(SETUP);
    await client.next((m) => 'setupComplete' in m);
    expect(h.emulator.sessions[0].credential).toEqual({
      type: 'apiKey',
      value: 'secret',
      via: 'header',
    });
    const status = await new Promise((resolve) => {
      const ws = new WebSocket(`${h.emulator.url}/ws/other?key=secret`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(404);
  });

  it('answers setup (snake_case too) with setupComplete in a binary frame', async () => {
    const client = await h.connect();
    client.send({
      setup: {
        model: 'models/gemini-3.8-live',
        generation_config: { response_modalities: ['AUDIO'] },
      },
    });
    await client.next((m) => 'setupComplete' in m);
    expect(client.messages[0]).toEqual({ setupComplete: {} });
    expect(client.binary[0]).toBe(true);
    const session = h.emulator.sessions[0];
    expect(session.setup?.generationConfig?.responseModalities).toEqual([
      'AUDIO',
    ]);
    expect(session.violations).toEqual([]);
  });

  it('closes 1007 when the first message is not setup and 1008 for an unknown model', async () => {
    const first = await h.connect();
    first.send({ realtimeInput: { text: 'hi' } });
    expect((await first.closed).code).toBe(1007);
    const second = await h.connect();
    second.send({ setup: { model: 'models/gemini-0-nope' } });
    const closed = await second.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/not found/);
  });

  it('issues resumption handles and resumes a session from one', async () => {
    const first = await h.ready({
      setup: { ...SETUP.setup, sessionResumption: {} },
    });
    const update = await first.next((m) => 'sessionResumptionUpdate' in m);
    const handle = update.sessionResumptionUpdate?.newHandle;
    expect(update.sessionResumptionUpdate?.resumable).toBe(true);
    first.send({ realtimeInput: { text: 'hello' } });
    await first.next((m) => m.serverContent?.turnComplete === true);
    await first.next(
      (m) =>
        m.sessionResumptionUpdate !== undefined &&
        m.sessionResumptionUpdate.newHandle !== handle,
    );
    await h.ready({ setup: { ...SETUP.setup, sessionResumption: { handle } } });
    expect(h.emulator.sessions[1].resumedFrom).toBe(handle);
    const stale = await h.connect();
    stale.send({
      setup: { ...SETUP.setup, sessionResumption: { handle: 'nope' } },
    });
    expect((await stale.closed).code).toBe(1007);
  });

  it('sends goAway then closes 1011, and kill drops the socket without a close frame', async () => {
    const client = await h.ready();
    h.emulator.sessions[0].goAway('0.05s');
    await client.next((m) => m.goAway?.timeLeft === '0.05s');
    expect((await client.closed).code).toBe(1011);
    const other = await h.ready();
    h.emulator.sessions[1].kill();
    expect((await other.closed).code).toBe(1006);
    expect((await h.emulator.sessions[1].closed).code).toBe(1006);
  });

  it('takes binary client frames and deprecated mediaChunks', async () => {
    const client = await h.connect();
    client.ws.send(Buffer.from(JSON.stringify(SETUP)), { binary: true });
    await client.next((m) => 'setupComplete' in m);
    const session = await h.emulator.waitForSession();
    const data = int16ToBase64(new Int16Array(320).fill(1000));
    const mimeType = 'audio/pcm;rate=16000';
    client.send({
      realtime_input: { media_chunks: [{ data, mime_type: mimeType }] },
    });
    const message = await session.waitFor((m) => m.realtimeInput !== undefined);
    expect(message.realtimeInput?.mediaChunks).toEqual([{ data, mimeType }]);
    expect(Array.from(session.callerAudio())).toEqual(Array(320).fill(1000));
    expect(session.setup?.model).toBe('models/gemini-3.8-live');
  });
});
