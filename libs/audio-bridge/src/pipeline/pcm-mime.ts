/** Gemini's default output rate when a mimeType names none (Hz). */
export const DEFAULT_GEMINI_OUTPUT_RATE = 24000;

/**
 * PCM rates (Hz) the bridge converts from. Any other announced rate is refused: each new rate pair
 * designs and caches a filter, and an arbitrary one (191999 Hz, say) would cost seconds of CPU and
 * megabytes of taps, so a malformed server message must not be able to pick one.
 */
export const SUPPORTED_PCM_RATES: ReadonlySet<number> = new Set([
  8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000,
]);

const PCM_TYPE = /^\s*audio\/(?:pcm|l16)\s*(?:;|$)/i;
const RATE_PARAMETER = /(?:^|;)\s*rate\s*=\s*([^;\s]*)\s*(?:;|$)/i;

/**
 * Reads the sample rate (Hz) from a 16-bit PCM mimeType such as `audio/pcm;rate=24000` (Gemini Live
 * API: "Output audio is 24 kHz, 16-bit PCM"; the rate is taken from the mimeType when given). Returns
 * `fallback` when the type is absent or names no rate. Throws RangeError for a type that is not PCM or
 * a rate outside SUPPORTED_PCM_RATES.
 */
export function parsePcmRate(
  mimeType: unknown,
  fallback = DEFAULT_GEMINI_OUTPUT_RATE,
): number {
  if (mimeType === undefined || mimeType === null || mimeType === '')
    return fallback;
  if (typeof mimeType !== 'string' || !PCM_TYPE.test(mimeType)) {
    throw new RangeError(
      `Unsupported audio type ${JSON.stringify(mimeType)?.slice(0, 100)}`,
    );
  }
  const match = RATE_PARAMETER.exec(mimeType);
  if (!match) return fallback;
  const rate = /^\d{1,6}$/.test(match[1]) ? Number(match[1]) : NaN;
  if (!SUPPORTED_PCM_RATES.has(rate)) {
    throw new RangeError(
      `Unsupported PCM rate in mimeType "${mimeType.slice(0, 100)}"`,
    );
  }
  return rate;
}
