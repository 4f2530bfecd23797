import { SetupMessage } from './gemini-live.types';

export interface SetupProblem {
  code: number;
  reason: string;
}

const GEMINI_MODEL = /^models\/([^/]+)$/;
/** Setup fields Gemini 3.8 Live refuses (PROTOCOLS.md "Gemini Live"). */
const REJECTED_BY_38: ReadonlyArray<[string, (s: SetupMessage) => unknown]> = [
  [
    'generation_config.thinking_config',
    (s) => s.generationConfig?.thinkingConfig,
  ],
  [
    'generation_config.enable_affective_dialog',
    (s) => s.generationConfig?.enableAffectiveDialog,
  ],
  ['enable_affective_dialog', (s) => s.enableAffectiveDialog],
  ['proactivity', (s) => s.proactivity],
];
/** Keywords a FunctionDeclaration's `parameters` (an OpenAPI 3.0 subset Schema) may use. */
const SCHEMA_KEYWORDS = new Set(
  (
    'anyOf default description enum example format items maxItems maxLength maxProperties maximum ' +
    'minItems minLength minProperties minimum nullable pattern properties propertyOrdering required title type'
  ).split(' '),
);
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
  if (/^gemini-3\.8-/.test(match[1])) {
    const rejected = REJECTED_BY_38.find(([, get]) => get(setup) !== undefined);
    if (rejected)
      return {
        code: 1007,
        reason: `Invalid argument: ${rejected[0]} is not supported by ${match[1]}.`,
      };
  }
  const toolProblem = checkTools(setup.tools);
  if (toolProblem) return { code: 1007, reason: toolProblem };
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

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Function declarations as the API checks them at setup: `parameters` and `parametersJsonSchema`
 * are mutually exclusive, and `parameters` takes only the OpenAPI subset's keywords (an unknown one,
 * such as `additionalProperties` or `$schema`, is "Unknown name … Cannot find field").
 */
function checkTools(tools: unknown[] | undefined): string | undefined {
  for (const [t, tool] of (tools ?? []).entries()) {
    const declarations = isObject(tool) ? tool.functionDeclarations : undefined;
    for (const [d, declaration] of (Array.isArray(declarations)
      ? declarations
      : []
    ).entries()) {
      if (!isObject(declaration)) continue;
      const at = `setup.tools[${t}].function_declarations[${d}]`;
      if (declaration.parameters && declaration.parametersJsonSchema)
        return `Invalid argument: function_declarations[${d}]: parameters and parameters_json_schema are mutually exclusive.`;
      const unknown = unknownKeyword(
        declaration.parameters,
        `${at}.parameters`,
      );
      if (unknown)
        return `Invalid JSON payload received. ${unknown}: Cannot find field.`;
    }
  }
  return undefined;
}

function unknownKeyword(schema: unknown, at: string): string | undefined {
  if (!isObject(schema)) return undefined;
  for (const [key, value] of Object.entries(schema)) {
    if (!SCHEMA_KEYWORDS.has(key)) return `Unknown name "${key}" at '${at}'`;
    const inner =
      key === 'properties' && isObject(value)
        ? Object.entries(value).map(
            ([name, v]) => [`${at}.properties.${name}`, v] as const,
          )
        : key === 'items'
          ? [[`${at}.items`, value] as const]
          : key === 'anyOf' && Array.isArray(value)
            ? value.map((v, i) => [`${at}.any_of[${i}]`, v] as const)
            : [];
    for (const [path, v] of inner) {
      const found = unknownKeyword(v, path);
      if (found) return found;
    }
  }
  return undefined;
}
