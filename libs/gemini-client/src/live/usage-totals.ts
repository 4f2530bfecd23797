/**
 * Token usage as Gemini Live reports it in `usageMetadata` (js-genai 2.32 `UsageMetadata`; token
 * counts, by modality in the `…TokensDetails` arrays of `{modality, tokenCount}`; modality names are
 * `MediaModality` values: TEXT, AUDIO, IMAGE, VIDEO, DOCUMENT, MODALITY_UNSPECIFIED).
 */
export interface LiveUsage {
  /** Tokens of input the model read (caller audio, text notes, tool results…). */
  promptTokenCount?: number;
  /** Tokens the model produced (its audio and text). */
  responseTokenCount?: number;
  /** Tokens of cached content (part of the prompt). */
  cachedContentTokenCount?: number;
  /** Tokens of tool results given back to the model. */
  toolUsePromptTokenCount?: number;
  /** Tokens the model spent thinking. */
  thoughtsTokenCount?: number;
  /** prompt + response + tool use prompt + thoughts. */
  totalTokenCount?: number;
  promptTokensDetails?: ModalityTokens[];
  responseTokensDetails?: ModalityTokens[];
  cacheTokensDetails?: ModalityTokens[];
  toolUsePromptTokensDetails?: ModalityTokens[];
}

export interface ModalityTokens {
  modality: string;
  tokenCount: number;
}

/** A call's summed usage: prompt, response and total always present, and the reports summed. */
export type SummedUsage = LiveUsage &
  Required<
    Pick<
      LiveUsage,
      'promptTokenCount' | 'responseTokenCount' | 'totalTokenCount'
    >
  > & { messages: number };

/** The count fields of LiveUsage, and its details arrays. */
export const USAGE_COUNTS = [
  'promptTokenCount',
  'responseTokenCount',
  'cachedContentTokenCount',
  'toolUsePromptTokenCount',
  'thoughtsTokenCount',
  'totalTokenCount',
] as const;
export const USAGE_DETAILS = [
  'promptTokensDetails',
  'responseTokensDetails',
  'cacheTokensDetails',
  'toolUsePromptTokensDetails',
] as const;

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * A `usageMetadata` field read field by field: counts must be whole numbers ≥ 0 and details arrays of
 * `{modality?, tokenCount}` (a missing modality is MODALITY_UNSPECIFIED). Returns the usable part and
 * whether anything had the wrong type; undefined when `value` is not an object.
 */
export function readUsage(
  value: unknown,
): { usage: LiveUsage; malformed: boolean } | undefined {
  if (!isObject(value)) return undefined;
  const usage: LiveUsage = {};
  let malformed = false;
  for (const key of USAGE_COUNTS) {
    const count = value[key];
    if (isCount(count)) usage[key] = count;
    else if (count !== undefined) malformed = true;
  }
  for (const key of USAGE_DETAILS) {
    const details = value[key];
    if (details === undefined) continue;
    if (!Array.isArray(details)) {
      malformed = true;
      continue;
    }
    const read: ModalityTokens[] = [];
    for (const item of details as unknown[]) {
      const modality = isObject(item) ? item.modality : undefined;
      const tokenCount = isObject(item) ? (item.tokenCount ?? 0) : undefined;
      if (
        !isCount(tokenCount) ||
        (modality !== undefined && typeof modality !== 'string')
      )
        malformed = true;
      else
        read.push({
          modality: modality ?? 'MODALITY_UNSPECIFIED',
          tokenCount,
        });
    }
    usage[key] = read;
  }
  return { usage, malformed };
}

/**
 * One call's token usage: the sum of every `usageMetadata` its Live connections sent (each message
 * reports the usage of the model response(s) it ends, so the call's usage is their sum), with the
 * per-modality details summed by modality. `messages` counts the reports summed.
 */
export class UsageTotals {
  messages = 0;
  private readonly counts = new Map<string, number>();
  private readonly details = new Map<string, Map<string, number>>();

  add(usage: LiveUsage): void {
    this.messages++;
    for (const key of USAGE_COUNTS) {
      const count = usage[key];
      if (count !== undefined)
        this.counts.set(key, (this.counts.get(key) ?? 0) + count);
    }
    for (const key of USAGE_DETAILS) {
      const list = usage[key];
      if (!list) continue;
      let byModality = this.details.get(key);
      if (!byModality) {
        byModality = new Map<string, number>();
        this.details.set(key, byModality);
      }
      for (const { modality, tokenCount } of list)
        byModality.set(modality, (byModality.get(modality) ?? 0) + tokenCount);
    }
  }

  /** No report summed yet. */
  get empty(): boolean {
    return this.messages === 0;
  }

  /**
   * The totals as one LiveUsage: prompt, response and total counts always present (0 when never
   * reported), the other counts and details when reported; details sorted by modality.
   */
  toJSON(): SummedUsage {
    const out: SummedUsage = {
      promptTokenCount: 0,
      responseTokenCount: 0,
      totalTokenCount: 0,
      messages: this.messages,
    };
    for (const [key, count] of this.counts)
      out[key as (typeof USAGE_COUNTS)[number]] = count;
    for (const [key, byModality] of this.details)
      out[key as (typeof USAGE_DETAILS)[number]] = [...byModality]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([modality, tokenCount]) => ({ modality, tokenCount }));
    return out;
  }
}
