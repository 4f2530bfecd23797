/** Gemini Live (BidiGenerateContent) wire messages the phone path sends and reads. */

export interface InlineData {
  mimeType?: string;
  data?: string;
}

export interface LiveServerContent {
  modelTurn?: { parts?: Array<{ inlineData?: InlineData; text?: string }> };
  inputTranscription?: { text?: string };
  outputTranscription?: { text?: string };
  interrupted?: boolean;
  generationComplete?: boolean;
  turnComplete?: boolean;
  /**
   * 3.8 (js-genai 2.32 `InteractionStatus`): `IN_PROGRESS` while the server still works on the
   * input (extended thinking: more output may follow), `IDLE` once it is done. Sent with `turnComplete`.
   */
  interactionStatus?: string;
}

export interface LiveFunctionCall {
  id: string;
  name: string;
  args?: Record<string, unknown>;
}

export interface LiveServerMessage {
  setupComplete?: Record<string, unknown>;
  serverContent?: LiveServerContent;
  toolCall?: { functionCalls?: LiveFunctionCall[] };
  toolCallCancellation?: { ids?: string[] };
  goAway?: { timeLeft?: string };
  sessionResumptionUpdate?: {
    newHandle?: string;
    resumable?: boolean;
    /**
     * Index of the last client message (on this connection; setup is 0) that the state behind
     * `newHandle` includes. int64, so proto3 JSON sends it as a string; some clients see a number.
     */
    lastConsumedClientMessageIndex?: string | number;
  };
  /** Token counts by modality (js-genai `UsageMetadata`); see usage-totals.ts. */
  usageMetadata?: Record<string, unknown>;
  /** Server voice activity (js-genai `VoiceActivity`): `ACTIVITY_START` / `ACTIVITY_END`. */
  voiceActivity?: { voiceActivityType?: string; audioOffset?: string };
}

/**
 * Client messages that steer the conversation rather than stream audio: never dropped under
 * backpressure, replayed on a resumed connection when the server had not consumed them. (Tool
 * responses have their own method: they are routed to the connection that issued the call.)
 */
export type LiveControlMessage =
  | {
      realtimeInput: {
        text?: string;
        activityStart?: Record<string, never>;
        activityEnd?: Record<string, never>;
        audioStreamEnd?: boolean;
      };
    }
  | { clientContent: { turns?: unknown[]; turnComplete?: boolean } };

/** A server frame that is not a JSON object. */
export class LiveMessageError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'LiveMessageError';
  }
}

/** Parses one server frame; Gemini sends UTF-8 JSON in binary frames as often as in text frames. */
export function parseServerMessage(frame: string | Buffer): LiveServerMessage {
  const text = typeof frame === 'string' ? frame : frame.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LiveMessageError('server frame is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new LiveMessageError('server frame is not a JSON object');
  }
  return parsed;
}

const AUDIO_PREFIX = '{"realtimeInput":{"audio":{"data":"';

/**
 * `realtimeInput.audio` for base64 PCM16 at `rate`, built as a string: the payload is base64 (no
 * escaping needed) and the rest is constant, so the ~50 messages a second per call skip JSON.stringify.
 */
export function realtimeAudioMessage(base64Pcm: string, rate = 16000): string {
  return `${AUDIO_PREFIX}${base64Pcm}","mimeType":"audio/pcm;rate=${rate}"}}}`;
}
