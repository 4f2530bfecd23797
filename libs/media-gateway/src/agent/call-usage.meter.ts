import {
  LiveUsage,
  ModalityTokens,
  SummedUsage,
  UsageTotals,
} from '@app/gemini-client';
import { mediaMetrics } from '../metrics/media.metrics';

/** `voice_gemini_tokens_total{direction}` for each LiveUsage count and its details array. */
const DIRECTIONS = [
  ['prompt', 'promptTokenCount', 'promptTokensDetails'],
  ['response', 'responseTokenCount', 'responseTokensDetails'],
  ['tool_use_prompt', 'toolUsePromptTokenCount', 'toolUsePromptTokensDetails'],
  ['cached', 'cachedContentTokenCount', 'cacheTokensDetails'],
  ['thoughts', 'thoughtsTokenCount', undefined],
] as const;

/**
 * One call's Gemini token usage (tokens): every `usageMetadata` its session reports is summed
 * (UsageTotals, by modality) for the call record's `usage`, and counted at once in
 * `voice_gemini_tokens_total{direction,modality}`. A report with per-modality details is counted by
 * modality (lower-case: `audio`, `text`…); one with a count but no details as `unspecified`.
 */
export class CallUsageMeter {
  private readonly totals = new UsageTotals();

  add(usage: LiveUsage): void {
    this.totals.add(usage);
    for (const [direction, count, details] of DIRECTIONS) {
      const list: ModalityTokens[] | undefined = details && usage[details];
      if (list?.length) {
        for (const { modality, tokenCount } of list)
          if (tokenCount > 0)
            mediaMetrics.geminiTokens.inc(
              { direction, modality: modalityLabel(modality) },
              tokenCount,
            );
      } else if ((usage[count] ?? 0) > 0) {
        mediaMetrics.geminiTokens.inc(
          { direction, modality: 'unspecified' },
          usage[count],
        );
      }
    }
  }

  /** Nothing reported yet. */
  get empty(): boolean {
    return this.totals.empty;
  }

  /** The call's totals (see UsageTotals.toJSON): the record's `usage`. */
  get usage(): SummedUsage {
    return this.totals.toJSON();
  }
}

function modalityLabel(modality: string): string {
  return modality === 'MODALITY_UNSPECIFIED'
    ? 'unspecified'
    : modality.toLowerCase();
}
