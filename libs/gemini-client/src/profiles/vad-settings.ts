/**
 * Voice activity detection for one agent profile: how readily Gemini decides the caller started or
 * stopped speaking. Sent as `setup.realtimeInputConfig.automaticActivityDetection` (js-genai 2.32
 * `AutomaticActivityDetection`; PROTOCOLS.md "Gemini Live", 3.8 details). Unset fields keep the
 * server's defaults (Gemini API: both sensitivities HIGH).
 *
 * In a profile (AGENT_PROFILES_FILE):
 *
 *   "vad": { "startOfSpeechSensitivity": "low", "endOfSpeechSensitivity": "high",
 *            "prefixPaddingMs": 100, "silenceDurationMs": 700 }
 */
export interface VadSettings {
  /** `high` detects speech starts more often (barge-in on less); `low` less often (noisy lines). */
  startOfSpeechSensitivity?: VadSensitivity | StartSensitivity;
  /** `high` ends the caller's turn more often (faster replies); `low` lets them pause longer. */
  endOfSpeechSensitivity?: VadSensitivity | EndSensitivity;
  /** Speech needed (ms) before a start of speech is committed: lower is more sensitive. */
  prefixPaddingMs?: number;
  /** Silence needed (ms) before an end of speech is committed: higher lets callers pause longer. */
  silenceDurationMs?: number;
}

export type VadSensitivity = 'high' | 'low';
type StartSensitivity = 'START_SENSITIVITY_HIGH' | 'START_SENSITIVITY_LOW';
type EndSensitivity = 'END_SENSITIVITY_HIGH' | 'END_SENSITIVITY_LOW';

/** Bounds (ms, whole numbers) a profile's VAD timings must keep to. */
export const VAD_LIMITS = {
  prefixPaddingMs: { min: 0, max: 2000 },
  silenceDurationMs: { min: 100, max: 10_000 },
} as const;

const KEYS = new Set([
  'startOfSpeechSensitivity',
  'endOfSpeechSensitivity',
  'prefixPaddingMs',
  'silenceDurationMs',
]);

/**
 * What is wrong with a profile's `vad` value, one message per problem (`vad.field: why`); empty when
 * it is usable (or absent). Checked at boot: a bad value must stop the start, never a call's setup.
 */
export function vadProblems(vad: unknown): string[] {
  if (vad === undefined) return [];
  if (typeof vad !== 'object' || vad === null || Array.isArray(vad))
    return ['vad: must be an object'];
  const problems: string[] = [];
  const value = vad as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    if (!KEYS.has(key))
      problems.push(
        `vad.${key}: unknown field (expected ${[...KEYS].join(', ')})`,
      );
  }
  for (const [key, prefix] of [
    ['startOfSpeechSensitivity', 'START'],
    ['endOfSpeechSensitivity', 'END'],
  ] as const) {
    const given = value[key];
    if (given !== undefined && sensitivity(given, prefix) === undefined)
      problems.push(
        `vad.${key}: must be high, low, ${prefix}_SENSITIVITY_HIGH or ${prefix}_SENSITIVITY_LOW`,
      );
  }
  for (const key of ['prefixPaddingMs', 'silenceDurationMs'] as const) {
    const given = value[key];
    const { min, max } = VAD_LIMITS[key];
    if (
      given !== undefined &&
      !(Number.isInteger(given) && Number(given) >= min && Number(given) <= max)
    )
      problems.push(
        `vad.${key}: must be a whole number of ms from ${min} to ${max}`,
      );
  }
  return problems;
}

/** `automaticActivityDetection` for a (valid) profile's `vad`; undefined when it sets nothing. */
export function automaticActivityDetection(
  vad: VadSettings | undefined,
): Record<string, unknown> | undefined {
  if (!vad) return undefined;
  const out: Record<string, unknown> = {};
  const start = sensitivity(vad.startOfSpeechSensitivity, 'START');
  const end = sensitivity(vad.endOfSpeechSensitivity, 'END');
  if (start) out.startOfSpeechSensitivity = start;
  if (end) out.endOfSpeechSensitivity = end;
  if (vad.prefixPaddingMs !== undefined)
    out.prefixPaddingMs = vad.prefixPaddingMs;
  if (vad.silenceDurationMs !== undefined)
    out.silenceDurationMs = vad.silenceDurationMs;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The API's enum value for `high`/`low` or the enum value itself; undefined for anything else. */
function sensitivity(
  value: unknown,
  prefix: 'START' | 'END',
): string | undefined {
  if (value === 'high' || value === 'low')
    return `${prefix}_SENSITIVITY_${value.toUpperCase()}`;
  const full = `${prefix}_SENSITIVITY_`;
  return value === `${full}HIGH` || value === `${full}LOW` ? value : undefined;
}
