/**
 * What the service must know about a Live model to talk to it: which setup fields it refuses and what
 * it reports. Sources: PROTOCOLS.md "Gemini Live" (2026-09 docs: `gemini-3.8-live` and
 * `gemini-3.8-live-extended-thinking`; for 3.8 send no `thinkingConfig`, no `enableAffectiveDialog`
 * and no `proactivity`, `proactiveAudio: false` being an error) and js-genai 2.32 `LiveServerContent`
 * (`interactionStatus`, always sent alongside `turnComplete`).
 */
export interface LiveModelTraits {
  /** The model id without `models/` or a Vertex `projects/…/models/` prefix. */
  id: string;
  /** Gemini 3.8 Live (and later): proactive audio always on, tools NON_BLOCKING by default. */
  live38: boolean;
  /** Thinks in the background, may speak fillers meanwhile, reports `interactionStatus`. */
  extendedThinking: boolean;
  /**
   * Setup fields the model refuses (close 1007): dotted paths from the `setup` object. Empty for the
   * 2.5 native-audio models, which accept them.
   */
  rejectedSetupFields: readonly string[];
}

/** Fields 3.8 refuses (PROTOCOLS.md): the older models' thinking, affective and proactive switches. */
export const LIVE_38_REJECTED_FIELDS: readonly string[] = [
  'generationConfig.thinkingConfig',
  'generationConfig.enableAffectiveDialog',
  'enableAffectiveDialog',
  'proactivity',
];

/** `gemini-3.8-live…`, and any later major/minor (`gemini-3.9-live`, `gemini-4-live-…`). */
const LIVE_38_OR_LATER = /^gemini-(\d+)(?:\.(\d+))?-live(?:-|$)/;

/** The model id inside a `models/…` or Vertex `projects/…/models/…` resource name. */
export function modelId(model: string): string {
  const slash = model.lastIndexOf('/');
  return slash >= 0 ? model.slice(slash + 1) : model;
}

export function liveModelTraits(model: string): LiveModelTraits {
  const id = modelId(model);
  const match = LIVE_38_OR_LATER.exec(id);
  const major = Number(match?.[1] ?? 0);
  const minor = Number(match?.[2] ?? 0);
  const live38 = major > 3 || (major === 3 && minor >= 8);
  return {
    id,
    live38,
    extendedThinking: live38 && id.includes('extended-thinking'),
    rejectedSetupFields: live38 ? LIVE_38_REJECTED_FIELDS : [],
  };
}

/**
 * Removes `paths` (dotted, from the root) from `setup` in place; returns the ones that were there.
 * Used as the setup builder's last step, so no code path can send a field the model refuses.
 */
export function removeSetupFields(
  setup: Record<string, unknown>,
  paths: readonly string[],
): string[] {
  const removed: string[] = [];
  for (const path of paths) {
    const keys = path.split('.');
    let node: unknown = setup;
    for (const key of keys.slice(0, -1))
      node = isRecord(node) ? node[key] : undefined;
    const last = keys[keys.length - 1];
    if (isRecord(node) && last in node) {
      delete node[last];
      removed.push(path);
    }
  }
  return removed;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
