import { toneInt16 } from '../audio/pcm.util';
import { EmulatorHarness, Json, SETUP } from './live-test.client.test-helper';

/** The Gemini 3.8 details the emulator models (PROTOCOLS.md "Gemini Live", js-genai 2.32). */
describe('GeminiLiveEmulator: Gemini 3.8 protocol', () => {
  const h = new EmulatorHarness();
  beforeEach(() =>
    h.start({
      apiKey: 'secret',
      reply: { kind: 'tone', ms: 200 },
      chunkIntervalMs: 0,
      silenceMs: 100,
    }),
  );
  afterEach(() => h.stop());

  /** 300 ms of speech then 200 ms of silence: one caller turn for the energy detector. */
  const turn = () =>
    new Int16Array([
      ...toneInt16(16000, 300, 300, 6000),
      ...new Int16Array(3200),
    ]);
  const withModel = (model: string, extra: object = {}) => ({
    setup: { ...SETUP.setup, model: `models/${model}`, ...extra },
  });

  it.each([
    [
      'generationConfig.thinkingConfig',
      { generationConfig: { thinkingConfig: { thinkingBudget: 0 } } },
    ],
    [
      'generationConfig.enableAffectiveDialog',
      { generationConfig: { enableAffectiveDialog: true } },
    ],
    ['proactivity', { proactivity: { proactiveAudio: false } }],
  ])(
    'refuses a 3.8 setup with %s (1007), as the real API does',
    async (_field, extra) => {
      for (const model of [
        'gemini-3.8-live',
        'gemini-3.8-live-extended-thinking',
      ]) {
        const client = await h.connect();
        client.send(withModel(model, extra));
        const closed = await client.closed;
        expect(closed.code).toBe(1007);
        expect(closed.reason).toMatch(/not supported by gemini-3\.8/);
      }
    },
  );

  it('refuses a tool whose parameters use a keyword the OpenAPI subset lacks; takes parametersJsonSchema', async () => {
    const schema = {
      type: 'object',
      properties: { q: { type: 'string' } },
      additionalProperties: false,
    };
    const declare = (declaration: object) =>
      withModel('gemini-3.8-live', {
        tools: [
          {
            functionDeclarations: [
              { name: 't', description: 'd', ...declaration },
            ],
          },
        ],
      });
    const bad = await h.connect();
    bad.send(declare({ parameters: schema }));
    const closed = await bad.closed;
    expect(closed.code).toBe(1007);
    expect(closed.reason).toMatch(/Unknown name "additionalProperties"/);
    const both = await h.connect();
    both.send(
      declare({ parameters: { type: 'OBJECT' }, parametersJsonSchema: schema }),
    );
    expect((await both.closed).reason).toMatch(/mutually exclusive/);
    await h.ready(declare({ parametersJsonSchema: schema }));
  });

  it('reports voice activity, then usage by modality with turnComplete', async () => {
    h.emulator.options.voiceActivity = true;
    const client = await h.ready();
    client.sendAudio(turn());
    const done = await client.next(
      (m) => m.serverContent?.turnComplete === true,
    );
    const kinds = client.messages
      .map(
        (m: Json & { voiceActivity?: { voiceActivityType: string } }) =>
          m.voiceActivity?.voiceActivityType,
      )
      .filter(Boolean);
    expect(kinds).toEqual(['ACTIVITY_START', 'ACTIVITY_END']);
    const usage = (done as { usageMetadata?: Record<string, unknown> })
      .usageMetadata;
    expect(usage).toEqual({
      promptTokenCount: 8, // 300 ms of caller audio at 25 tokens/s
      responseTokenCount: 5 + 10, // 200 ms of reply audio, and the words of its transcript
      totalTokenCount: 23,
      promptTokensDetails: [{ modality: 'AUDIO', tokenCount: 8 }],
      responseTokensDetails: [
        { modality: 'AUDIO', tokenCount: 5 },
        { modality: 'TEXT', tokenCount: 10 },
      ],
    });
  });

  it('silent mode: no answer to spoken turns; `audio` still answers a text nudge', async () => {
    h.emulator.options.silent = 'audio';
    const client = await h.ready();
    client.sendAudio(turn());
    await client.next((m) => m.serverContent?.inputTranscription !== undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(client.messages.some((m) => m.serverContent?.modelTurn)).toBe(false);
    client.send({ realtimeInput: { text: 'Please answer the caller.' } });
    await client.next((m) => m.serverContent?.turnComplete === true);
    h.emulator.options.silent = true;
    const mute = await h.ready();
    mute.send({ realtimeInput: { text: 'Please answer.' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(mute.messages.some((m) => m.serverContent?.modelTurn)).toBe(false);
  });

  it('extended thinking: IN_PROGRESS with a turnComplete, the answer later with IDLE', async () => {
    h.emulator.options.thinkingMs = 150;
    const client = await h.ready(
      withModel('gemini-3.8-live-extended-thinking'),
    );
    client.sendAudio(turn());
    const thinking = await client.next(
      (m) =>
        (m.serverContent as { interactionStatus?: string })
          ?.interactionStatus !== undefined,
    );
    expect(thinking.serverContent).toEqual({
      turnComplete: true,
      interactionStatus: 'IN_PROGRESS',
    });
    const answered = await client.next(
      (m) =>
        (m.serverContent as { interactionStatus?: string })
          ?.interactionStatus === 'IDLE',
    );
    expect(answered.serverContent?.turnComplete).toBe(true);
    expect(client.messages.indexOf(answered)).toBeGreaterThan(
      client.messages.findIndex((m) => m.serverContent?.modelTurn),
    );
  });

  it('a SILENT tool answer goes into the context without a reply', async () => {
    const client = await h.ready();
    const session = h.emulator.sessions[0];
    session.send({
      toolCall: { functionCalls: [{ id: 'c1', name: 't', args: {} }] },
    });
    await client.next((m) => m.toolCall !== undefined);
    client.send({
      toolResponse: {
        functionResponses: [
          { id: 'c1', name: 't', response: {}, scheduling: 'SILENT' },
        ],
      },
    });
    await session.waitFor((m) => m.toolResponse !== undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(session.toolResponses).toHaveLength(1);
    expect(session.replies).toEqual([]);
  });
});
