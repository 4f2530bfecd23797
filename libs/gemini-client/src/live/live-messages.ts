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

const AUDIO_PARTS = Buffer.from(
  '{"serverContent":{"modelTurn":{"parts":[{"inlineData":{"',
);
const MIME_KEY = Buffer.from('mimeType":"');
const DATA_KEY = Buffer.from('data":"');
const BETWEEN = Buffer.from('","');
const AUDIO_END = Buffer.from('"}}]}}}');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The one layout agent audio arrives in, read without JSON.parse (a 40 ms chunk is ~2.6 KB of base64
 * and comes 25 times a second per call): `{"serverContent":{"modelTurn":{"parts":[{"inlineData":
 * {"mimeType":"…","data":"…"}}]}}}`, either key first, compact. Undefined for anything else (which
 * takes JSON.parse): other fields, whitespace, escapes (a backslash anywhere in the values). What it
 * returns is what JSON.parse returns for the frame (live-messages.spec checks every one-character
 * edit of the layout).
 */
function audioOnlyMessage(frame: Buffer): LiveServerMessage | undefined {
  const end = frame.length - AUDIO_END.length;
  if (
    end <= AUDIO_PARTS.length ||
    frame[0] !== 0x7b ||
    frame.compare(AUDIO_PARTS, 0, AUDIO_PARTS.length, 0, AUDIO_PARTS.length) !==
      0 ||
    frame.compare(AUDIO_END, 0, AUDIO_END.length, end) !== 0
  )
    return undefined;
  const first = AUDIO_PARTS.length;
  const mimeFirst = frame[first] === 0x6d; /* m */
  const firstKey = mimeFirst ? MIME_KEY : DATA_KEY;
  const secondKey = mimeFirst ? DATA_KEY : MIME_KEY;
  const a = first + firstKey.length;
  if (frame.compare(firstKey, 0, firstKey.length, first, a) !== 0)
    return undefined;
  const aEnd = frame.indexOf(QUOTE, a);
  const b = aEnd + BETWEEN.length + secondKey.length;
  if (
    aEnd < 0 ||
    b > end ||
    frame.compare(BETWEEN, 0, BETWEEN.length, aEnd, aEnd + BETWEEN.length) !==
      0 ||
    frame.compare(secondKey, 0, secondKey.length, aEnd + BETWEEN.length, b) !==
      0 ||
    frame.indexOf(QUOTE, b) !== end ||
    frame.indexOf(BACKSLASH, a) !== -1
  )
    return undefined;
  // Both values are quote- and escape-free, so their JSON value is their text. (One difference from
  // JSON.parse: a raw control character inside a value is kept, not refused; no MIME type or base64
  // payload can use it, so the chunk is refused downstream as unusable audio instead.)
  const firstValue = frame.toString('utf8', a, aEnd);
  const secondValue = frame.toString('utf8', b, end);
  const inlineData = mimeFirst
    ? { mimeType: firstValue, data: secondValue }
    : { data: firstValue, mimeType: secondValue };
  return { serverContent: { modelTurn: { parts: [{ inlineData }] } } };
}

/** Parses one server frame; Gemini sends UTF-8 JSON in binary frames as often as in text frames. */
export function parseServerMessage(frame: string | Buffer): LiveServerMessage {
  if (typeof frame !== 'string') {
    const audio = audioOnlyMessage(frame);
    if (audio) return audio;
  }
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
