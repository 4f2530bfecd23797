import { SetupMessage } from './gemini-live.types';

export interface SetupProblem {
  code: number;
  reason: string;
}

const GEMINI_MODEL = /^models\/([^/]+)$/;
const VERTEX_MODEL =
  /^projects\/[^/]+\/locations\/[^/]+\/publishers\/[^/]+\/models\/([^/]+)$/;

/**
 * Checks a setup the way the Live API does before it answers setupComplete: the model resource name
 * (1007 when malformed, 1008 when unknown) and the output modality (the Live models emulated here speak
 * audio only). Returns undefined when the setup is acceptable.
 */
export function checkSetup(
  setup: SetupMessage,
  knownModels: readonly string[],
  api: 'gemini' | 'vertex',
): SetupProblem | undefined {
  const model = setup.model;
  if (typeof model !== 'string' || model === '') {
    return { code: 1007, reason: 'setup.model is required.' };
  }
  const match = GEMINI_MODEL.exec(model) ?? VERTEX_MODEL.exec(model);
  if (!match) {
    return {
      code: 1007,
      reason: `Invalid model name "${model}": expected models/{model} or projects/.../models/{model}.`,
    };
  }
  if (!knownModels.includes(match[1])) {
    const version = api === 'vertex' ? 'v1beta1' : 'v1beta';
    return {
      code: 1008,
      reason: `models/${match[1]} is not found for API version ${version}, or is not supported for bidiGenerateContent.`,
    };
  }
  const modalities = setup.generationConfig?.responseModalities;
  if (
    modalities &&
    modalities.some((m) => String(m).toUpperCase() !== 'AUDIO')
  ) {
    return {
      code: 1007,
      reason: `Response modalities ${modalities.join(',')} are not supported by ${match[1]}; use AUDIO.`,
    };
  }
  return undefined;
}
