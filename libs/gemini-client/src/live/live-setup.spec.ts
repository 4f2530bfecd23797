import { LIVE_38_REJECTED_FIELDS, liveModelTraits } from './live-model';
import { buildSetupMessage, LiveSetupInput } from './live-setup';

/** Every key anywhere in `value`, as dotted paths (arrays by index). */
function paths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...paths(inner, path)];
  });
}

/** Everything a caller could ask the builder for, older models' switches included. */
const EVERYTHING: Omit<LiveSetupInput, 'model'> = {
  voice: 'Kore',
  systemInstruction: 'Be brief.',
  tools: [{ functionDeclarations: [{ name: 't', description: 'd' }] }],
  resumptionHandle: 'h-1',
  language: 'de-DE',
  api: 'vertex',
  vad: { startOfSpeechSensitivity: 'low', silenceDurationMs: 700 },
  tuning: {
    thinkingBudget: 1024,
    affectiveDialog: true,
    proactiveAudio: false,
  },
};

const KEYS_38_REJECTS = [
  'thinkingConfig',
  'enableAffectiveDialog',
  'proactivity',
];

describe('buildSetupMessage', () => {
  it.each([
    'models/gemini-3.8-live',
    'models/gemini-3.8-live-extended-thinking',
    'projects/p/locations/us-central1/publishers/google/models/gemini-3.8-live-extended-thinking',
  ])(
    'never sends %s a field 3.8 rejects (thinkingConfig, enableAffectiveDialog, proactivity), even when asked',
    (model) => {
      const { setup } = buildSetupMessage({ model, ...EVERYTHING });
      const keys = paths(setup).map((p) => p.split('.').pop());
      for (const rejected of KEYS_38_REJECTS)
        expect(keys).not.toContain(rejected);
      // …while everything else asked for is there.
      expect(setup).toMatchObject({
        model,
        generationConfig: {
          responseModalities: ['AUDIO'],
          speechConfig: { languageCode: 'de-DE' },
        },
        systemInstruction: { parts: [{ text: 'Be brief.' }] },
        realtimeInputConfig: {
          activityHandling: 'START_OF_ACTIVITY_INTERRUPTS',
          automaticActivityDetection: {
            startOfSpeechSensitivity: 'START_SENSITIVITY_LOW',
            silenceDurationMs: 700,
          },
        },
        sessionResumption: { handle: 'h-1', transparent: true },
        contextWindowCompression: { slidingWindow: {} },
      });
    },
  );

  it('keeps the 2.5 native-audio switches for the models that take them', () => {
    const { setup } = buildSetupMessage({
      model: 'models/gemini-2.5-flash-native-audio-preview-09-2025',
      ...EVERYTHING,
    });
    expect(setup).toMatchObject({
      generationConfig: {
        thinkingConfig: { thinkingBudget: 1024 },
        enableAffectiveDialog: true,
      },
      proactivity: { proactiveAudio: false },
    });
  });

  it('asks for the consumed message index (transparent) on Vertex only; the Gemini API refuses it', () => {
    const gemini = buildSetupMessage({
      model: 'models/gemini-3.8-live',
      voice: 'Kore',
    });
    expect(gemini.setup.sessionResumption).toEqual({});
    expect(gemini.setup.realtimeInputConfig).toEqual({
      activityHandling: 'START_OF_ACTIVITY_INTERRUPTS',
    });
    const vertex = buildSetupMessage({
      model: 'models/gemini-3.8-live',
      voice: 'Kore',
      api: 'vertex',
      resumptionHandle: 'h-2',
    });
    expect(vertex.setup.sessionResumption).toEqual({
      handle: 'h-2',
      transparent: true,
    });
  });
});

describe('liveModelTraits', () => {
  it.each([
    ['models/gemini-3.8-live', true, false],
    ['gemini-3.8-live-extended-thinking', true, true],
    [
      'projects/p/locations/l/publishers/google/models/gemini-3.8-live',
      true,
      false,
    ],
    ['gemini-4-live', true, false],
    ['models/gemini-2.5-flash-native-audio-preview-09-2025', false, false],
    ['gemini-live-2.5-flash-native-audio', false, false],
  ])('%s: 3.8 or later %p, extended thinking %p', (model, live38, thinking) => {
    const traits = liveModelTraits(model);
    expect(traits.live38).toBe(live38);
    expect(traits.extendedThinking).toBe(thinking);
    expect(traits.rejectedSetupFields).toEqual(
      live38 ? LIVE_38_REJECTED_FIELDS : [],
    );
  });
});
