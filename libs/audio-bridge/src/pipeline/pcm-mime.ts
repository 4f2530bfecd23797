/** Gemini's default output rate when a mimeType names none. */
export const DEFAULT_GEMINI_OUTPUT_RATE = 24000;

const RATE_PARAMETER = /(?:^|;)\s*rate\s*=\s*(\d+)\s*(?:;|$)/i;

/**
 * Reads the sample rate from a PCM mimeType such as `audio/pcm;rate=24000`. Returns `fallback` when the
 * type carries no rate, and throws on a rate that is present but unusable.
 */
export function parsePcmRate(
  mimeType: string | undefined,
  fallback = DEFAULT_GEMINI_OUTPUT_RATE,
): number {
  if (!mimeType) return fallback;
  const match = RATE_PARAMETER.exec(mimeType);
  if (!match) return fallback;
  const rate = Number(match[1]);
  if (rate < 1000 || rate > 192000) {
    throw new RangeError(`Unsupported PCM rate in mimeType "${mimeType}"`);
  }
  return rate;
}
