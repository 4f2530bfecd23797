import {
  automaticActivityDetection,
  VadSettings,
} from '../profiles/vad-settings';
import { liveModelTraits, removeSetupFields } from './live-model';

/**
 * Switches only the 2.5 native-audio models take (js-genai `LiveConnectConfig`: `thinkingConfig`,
 * `enableAffectiveDialog`, `proactivity`). 3.8 refuses them (close 1007), so the builder drops them
 * for 3.8 models whatever is asked (PROTOCOLS.md, "Gemini Live").
 */
export interface LegacyModelTuning {
  /** `generationConfig.thinkingConfig.thinkingBudget` (tokens; 0 turns thinking off). */
  thinkingBudget?: number;
  /** `generationConfig.enableAffectiveDialog`. */
  affectiveDialog?: boolean;
  /** `proactivity.proactiveAudio`. */
  proactiveAudio?: boolean;
}

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
  /** Which backend the setup goes to (default `gemini`): decides `sessionResumption.transparent`. */
  api?: 'gemini' | 'vertex';
  /** The profile's voice activity detection (`realtimeInputConfig.automaticActivityDetection`). */
  vad?: VadSettings;
  /** Older models only; dropped for 3.8. */
  tuning?: LegacyModelTuning;
}

/**
 * Audio out, prebuilt voice, both transcriptions on, barge-in by voice activity (tuned by the
 * profile's `vad`), session resumption handles requested, and a sliding context window so audio
 * sessions are not cut at 15 minutes.
 *
 * `sessionResumption.transparent` (the server then sends `lastConsumedClientMessageIndex`) goes to
 * Vertex AI only: js-genai 2.32 refuses it in Gemini API mode ("only supported in … Agent Platform
 * mode"), and PROTOCOLS.md says 3.8 sends the index on the Gemini API without it. Without an index
 * the session falls back to "a handle covers everything written before it" (ConnectionLink).
 *
 * Last step: every field the model refuses (LiveModelTraits.rejectedSetupFields) is removed, so no
 * path can send a 3.8 session `thinkingConfig`, `enableAffectiveDialog` or `proactivity`.
 */
export function buildSetupMessage(input: LiveSetupInput): {
  setup: Record<string, unknown>;
} {
  const detection = automaticActivityDetection(input.vad);
  const generationConfig: Record<string, unknown> = {
    responseModalities: ['AUDIO'],
    speechConfig: {
      voiceConfig: { prebuiltVoiceConfig: { voiceName: input.voice } },
      ...(input.language ? { languageCode: input.language } : {}),
    },
  };
  const setup: Record<string, unknown> = {
    model: input.model,
    generationConfig,
    inputAudioTranscription: {},
    outputAudioTranscription: {},
    realtimeInputConfig: {
      ...(detection ? { automaticActivityDetection: detection } : {}),
      activityHandling: 'START_OF_ACTIVITY_INTERRUPTS',
    },
    sessionResumption: {
      ...(input.resumptionHandle ? { handle: input.resumptionHandle } : {}),
      ...(input.api === 'vertex' ? { transparent: true } : {}),
    },
    contextWindowCompression: { slidingWindow: {} },
  };
  if (input.systemInstruction)
    setup.systemInstruction = { parts: [{ text: input.systemInstruction }] };
  if (input.tools?.length) setup.tools = input.tools;
  const tuning = input.tuning ?? {};
  if (tuning.thinkingBudget !== undefined)
    generationConfig.thinkingConfig = { thinkingBudget: tuning.thinkingBudget };
  if (tuning.affectiveDialog !== undefined)
    generationConfig.enableAffectiveDialog = tuning.affectiveDialog;
  if (tuning.proactiveAudio !== undefined)
    setup.proactivity = { proactiveAudio: tuning.proactiveAudio };
  removeSetupFields(setup, liveModelTraits(input.model).rejectedSetupFields);
  return { setup };
}
