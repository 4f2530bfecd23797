import { base64ToInt16, toneInt16 } from '../audio/pcm.util';
import { VERTEX_LIVE_PATH } from './gemini-live.emulator';
import { EmulatorHarness } from './live-test.client.test-helper';

describe('GeminiAgentEngine (through the emulator)', () => {
  const h = new EmulatorHarness();
  beforeEach(() =>
    h.start({ apiKey: 'secret', reply: { kind: 'tone', ms: 400 } }),
  );
  afterEach(() => h.stop());

  it('answers a spoken turn with transcriptions and 40 ms chunks of 24 kHz audio', async () => {
    const client = await h.ready();
    client.sendAudio(toneInt16(16000, 1000, 500, 6000));
    client.sendAudio(new Int16Array(16 * 400));
    await client.next((m) => m.serverContent?.turnComplete === true);
    const content = client.messages.flatMap((m) =>
      m.serverContent ? [m.serverContent] : [],
    );
    expect(content[0]).toEqual({
      inputTranscription: { text: 'caller spoke 500 ms' },
    });
    const parts = content.flatMap((c) => c.modelTurn?.parts ?? []);
    expect(parts).toHaveLength(10);
    for (const part of parts) {
      expect(part.inlineData.mimeType).toBe('audio/pcm;rate=24000');
      expect(base64ToInt16(part.inlineData.data)).toHaveLength(960);
    }
    const words = content
      .map((c) => c.outputTranscription?.text ?? '')
      .join('');
    expect(words).toBe('reply 1 plays a 440 hertz tone for 400 milliseconds');
    expect(content.slice(-2)).toEqual([
      { generationComplete: true },
      { turnComplete: true },
    ]);
    const session = h.emulator.sessions[0];
    expect(session.callerAudio()).toHaveLength(16 * 900);
    expect(session.replies[0]).toMatchObject({
      trigger: 'audio',
      outcome: 'complete',
      chunksSent: 10,
    });
  });

  it('waits responseDelayMs after the turn ends (transcription sent) before the first reply chunk', async () => {
    h.emulator.options.responseDelayMs = 300;
    const client = await h.ready();
    client.sendAudio(toneInt16(16000, 1000, 300, 6000));
    client.sendAudio(new Int16Array(16 * 400));
    await client.next((m) => m.serverContent?.inputTranscription !== undefined);
    const ended = performance.now();
    await expect(
      client.next((m) => m.serverContent?.modelTurn !== undefined, 200),
    ).rejects.toThrow();
    await client.next((m) => m.serverContent?.modelTurn !== undefined);
    // Timed at this client, so the transcription's own delivery delay (tens of ms on a loaded CI
    // machine) shortens what is measured; an engine that ignored the delay would show ~0 ms.
    expect(performance.now() - ended).toBeGreaterThanOrEqual(250);
  });

  it('sends interrupted at once when the caller talks over a reply', async () => {
    h.emulator.options.reply = { kind: 'tone', ms: 2000 };
    const client = await h.ready();
    client.sendAudio(toneInt16(16000, 1000, 200, 6000));
    client.sendAudio(new Int16Array(16 * 300));
    await client.next((m) => m.serverContent?.modelTurn !== undefined);
    client.sendAudio(toneInt16(16000, 700, 60, 6000));
    await client.next((m) => m.serverContent?.interrupted === true, 200);
    const chunks = client.messages.filter(
      (m) => m.serverContent?.modelTurn,
    ).length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(
      client.messages.filter((m) => m.serverContent?.modelTurn).length,
    ).toBe(chunks);
    expect(chunks).toBeLessThan(50);
    expect(client.messages.some((m) => m.serverContent?.turnComplete)).toBe(
      false,
    );
    expect(h.emulator.sessions[0].replies[0].outcome).toBe('interrupted');
  });

  it('records tool responses, requires their id and replies after them', async () => {
    const client = await h.ready();
    const session = h.emulator.sessions[0];
    session.send({
      toolCall: {
        functionCalls: [
          { id: 'call-1', name: 'lookup', args: { order_id: 7 } },
        ],
      },
    });
    await client.next((m) => 'toolCall' in m);
    client.send({
      tool_response: {
        function_responses: [
          { id: 'call-1', name: 'lookup', response: { order_id: 7 } },
        ],
      },
    });
    await client.next((m) => m.serverContent?.turnComplete === true);
    expect(session.toolResponses).toEqual([
      { id: 'call-1', name: 'lookup', response: { order_id: 7 } },
    ]);
    expect(session.violations).toEqual([]);
    client.send({
      toolResponse: { functionResponses: [{ name: 'lookup', response: {} }] },
    });
    expect((await client.closed).code).toBe(1007);
  });

  it('serves Vertex with a bearer token and echoes the caller', async () => {
    await h.stop();
    await h.start({
      accessToken: 'tok',
      reply: { kind: 'echo' },
      chunkIntervalMs: 0,
    });
    const client = await h.connect(VERTEX_LIVE_PATH, {
      authorization: 'Bearer tok',
    });
    client.send({
      setup: {
        model:
          'projects/p/locations/us-central1/publishers/google/models/gemini-3.8-live',
      },
    });
    await client.next((m) => 'setupComplete' in m);
    client.sendAudio(toneInt16(16000, 1000, 300, 6000));
    client.sendAudio(new Int16Array(16 * 300));
    await client.next((m) => m.serverContent?.turnComplete === true);
    const samples = client.messages
      .flatMap((m) => m.serverContent?.modelTurn?.parts ?? [])
      .reduce((n, p) => n + base64ToInt16(p.inlineData.data).length, 0);
    expect(samples).toBe(24 * 300);
    expect(h.emulator.sessions[0].credential).toEqual({
      type: 'bearer',
      value: 'tok',
      via: 'header',
    });
    expect(h.emulator.sessions[0].request.api).toBe('vertex');
  });
});
