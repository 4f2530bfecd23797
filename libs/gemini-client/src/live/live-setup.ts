/** Builds the first message of a Live session. */
export interface LiveSetupInput {
  /** Full model resource name (`models/…` or a Vertex `projects/…` path). */
  model: string;
  voice: string;
  systemInstruction?: string;
  tools?: unknown[];
  resumptionHandle?: string;
  /** BCP-47 language code for the agent's speech. */
  language?: string;
}

/**
 * Audio out, prebuilt voice, both transcriptions on, barge-in by voice activity, session resumption
 * handles requested, and a sliding context window so audio sessions are not cut at 15 minutes.
 */
export function buildSetupMessage(input: LiveSetupInput): {
  setup: Record<string, unknown>;
} {
  const setup: Record<string, unknown> = {
    model: input.model,
    generationConfig: {
      responseModalities: ['AUDIO'],
      speechConfig: {
        voiceConfig: { prebuiltVoiceConfig: { voiceName: input.voice } },
        ...(input.language ? { languageCode: input.language } : {}),
      },
    },
    inputAudioTranscription: {},
    outputAudioTranscription: {},
    realtimeInputConfig: { activityHandling: 'START_OF_ACTIVITY_INTERRUPTS' },
    sessionResumption: input.resumptionHandle
      ? { handle: input.resumptionHandle }
      : {},
    contextWindowCompression: { slidingWindow: {} },
  };
  if (input.systemInstruction)
    setup.systemInstruction = { parts: [{ text: input.systemInstruction }] };
  if (input.tools?.length) setup.tools = input.tools;
  return { setup };
}
