import { ClientMessage } from './gemini-live.types';

/** Protobuf `Struct`/`Value` fields: their keys are user data and keep their spelling. */
const OPAQUE_KEYS = new Set([
  'args',
  'response',
  'parametersJsonSchema',
  'responseJsonSchema',
]);
/** Map fields: user-named keys whose values are messages again. */
const MAP_KEYS = new Set(['properties']);

const MESSAGE_FIELDS = [
  'setup',
  'clientContent',
  'realtimeInput',
  'toolResponse',
];

/** Fields each message may carry; others are recorded as violations (the real API rejects them). */
const KNOWN_FIELDS: Record<string, readonly string[]> = {
  setup: [
    'model',
    'generationConfig',
    'systemInstruction',
    'tools',
    'toolConfig',
    'realtimeInputConfig',
    'sessionResumption',
    'contextWindowCompression',
    'inputAudioTranscription',
    'outputAudioTranscription',
    'proactivity',
    'explicitVadSignal',
    'historyConfig',
  ],
  realtimeInput: [
    'audio',
    'video',
    'text',
    'mediaChunks',
    'activityStart',
    'activityEnd',
    'audioStreamEnd',
  ],
  clientContent: ['turns', 'turnComplete'],
  toolResponse: ['functionResponses'],
};

export type ParseResult =
  | { ok: true; message: ClientMessage; violations: string[] }
  | { ok: false; reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Reads snake_case proto field names as camelCase (both are valid proto3 JSON), leaving user data alone. */
export function camelizeKeys(value: unknown, keepKeys = false): unknown {
  if (Array.isArray(value))
    return value.map((item) => camelizeKeys(item, keepKeys));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const name = keepKeys ? key : toCamel(key);
    if (OPAQUE_KEYS.has(name) && !keepKeys) out[name] = inner;
    else if (MAP_KEYS.has(name) && !keepKeys)
      out[name] = camelizeKeys(inner, true);
    else out[name] = camelizeKeys(inner);
  }
  return out;
}

function unknownFields(name: string, body: unknown): string[] {
  if (!isObject(body)) return [];
  const known = KNOWN_FIELDS[name];
  return Object.keys(body)
    .filter((key) => !known.includes(key))
    .map((key) => `${name}.${key} is not a known field`);
}

/** Parses one client frame into a message, or says why Google would close the socket (1007). */
export function parseClientMessage(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'Invalid JSON payload received.' };
  }
  if (!isObject(raw)) {
    return {
      ok: false,
      reason: 'Invalid JSON payload received. Expected an object.',
    };
  }
  const message = camelizeKeys(raw) as Record<string, unknown>;
  const keys = Object.keys(message);
  const unknown = keys.find((key) => !MESSAGE_FIELDS.includes(key));
  if (unknown !== undefined) {
    return {
      ok: false,
      reason: `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`,
    };
  }
  if (keys.length !== 1) {
    return {
      ok: false,
      reason:
        keys.length === 0
          ? 'Request contains no message.'
          : 'Invalid JSON payload received. Oneof field "message_type" is already set.',
    };
  }
  const name = keys[0];
  if (!isObject(message[name])) {
    return {
      ok: false,
      reason: `Invalid value at "${name}": expected an object.`,
    };
  }
  return {
    ok: true,
    message,
    violations: unknownFields(name, message[name]),
  };
}
