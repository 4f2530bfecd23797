import type { LiveFunctionCall, LiveServerMessage } from './live-messages';
import { LiveUsage, readUsage } from './usage-totals';

/** Server voice activity (`voiceActivity.voiceActivityType`), as the session reports it. */
export type VoiceActivityKind = 'start' | 'end';
/** `serverContent.interactionStatus` (REQUIRES_ACTION, deprecated, reads as IDLE). */
export type InteractionStatus = 'IN_PROGRESS' | 'IDLE';

/** The events one server message carries, in the order the session emits them. */
export interface ServerEventSink {
  setupComplete(): void;
  audio(data: string, mimeType: string | undefined): void;
  inputTranscript(text: string): void;
  outputTranscript(text: string): void;
  interrupted(): void;
  generationComplete(): void;
  turnComplete(): void;
  toolCall(calls: LiveFunctionCall[]): void;
  toolCallCancellation(ids: string[]): void;
  goAway(timeLeft: string | undefined): void;
  /** A resumable handle; `lastConsumedIndex` when the server said which client message it covers. */
  resumption(handle: string, lastConsumedIndex: number | undefined): void;
  /** The server's voice activity detection saw the caller start or stop speaking. */
  voiceActivity(kind: VoiceActivityKind): void;
  /** Whether the server still works on the input (3.8 extended thinking) or is done. */
  interactionStatus(status: InteractionStatus): void;
  /** Token counts of the response(s) this message ends. */
  usage(usage: LiveUsage): void;
}

const VOICE_ACTIVITY: Record<string, VoiceActivityKind> = {
  ACTIVITY_START: 'start',
  ACTIVITY_END: 'end',
};
const INTERACTION_STATUS: Record<string, InteractionStatus> = {
  IN_PROGRESS: 'IN_PROGRESS',
  IDLE: 'IDLE',
  REQUIRES_ACTION: 'IDLE',
};

type Obj = Record<string, unknown>;

const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;
const field = (value: unknown, name: string): unknown =>
  isObject(value) ? value[name] : undefined;

/**
 * Reads a parsed server message field by field, checking each field's type against the Live API's
 * BidiGenerateContentServerMessage (ai.google.dev, Live API reference), and hands every usable event
 * to `sink`. A field of the wrong type is skipped, never thrown on: it costs that field, not the call.
 * Returns how many fields were skipped.
 */
export function readServerEvents(
  message: LiveServerMessage,
  sink: ServerEventSink,
): number {
  const raw = message as Obj;
  let skipped = 0;
  const skip = (): void => {
    skipped++;
  };
  if (raw.setupComplete !== undefined) sink.setupComplete();

  // Voice activity first: a barge-in must act before anything else the message carries.
  const activity = field(raw.voiceActivity, 'voiceActivityType');
  if (raw.voiceActivity !== undefined && !isObject(raw.voiceActivity)) skip();
  else if (activity !== undefined && typeof activity !== 'string') skip();
  else if (typeof activity === 'string' && VOICE_ACTIVITY[activity])
    sink.voiceActivity(VOICE_ACTIVITY[activity]);

  const content = raw.serverContent;
  if (content !== undefined && !isObject(content)) skip();
  if (isObject(content)) {
    const parts = field(content.modelTurn, 'parts');
    if (parts !== undefined && !Array.isArray(parts)) skip();
    for (const part of Array.isArray(parts) ? (parts as unknown[]) : []) {
      const inline = field(part, 'inlineData');
      if (inline === undefined) continue;
      const data = text(field(inline, 'data'));
      const mimeType = field(inline, 'mimeType');
      if (data === undefined || (mimeType !== undefined && !text(mimeType)))
        skip();
      else if (data) sink.audio(data, mimeType as string | undefined);
    }
    const heard = field(content.inputTranscription, 'text');
    if (text(heard)) sink.inputTranscript(heard as string);
    const said = field(content.outputTranscription, 'text');
    if (text(said)) sink.outputTranscript(said as string);
    if (content.interrupted === true) sink.interrupted();
    if (content.generationComplete === true) sink.generationComplete();
    if (content.turnComplete === true) sink.turnComplete();
    const status = content.interactionStatus;
    if (status !== undefined && typeof status !== 'string') skip();
    else if (typeof status === 'string' && INTERACTION_STATUS[status])
      sink.interactionStatus(INTERACTION_STATUS[status]);
  }

  if (raw.usageMetadata !== undefined) {
    const read = readUsage(raw.usageMetadata);
    if (!read || read.malformed) skip();
    if (read) sink.usage(read.usage);
  }

  const functionCalls = field(raw.toolCall, 'functionCalls');
  if (raw.toolCall !== undefined && !Array.isArray(functionCalls)) skip();
  if (Array.isArray(functionCalls)) {
    const calls = (functionCalls as unknown[]).filter(isFunctionCall);
    if (calls.length < functionCalls.length) skip();
    if (calls.length) sink.toolCall(calls);
  }

  const ids = field(raw.toolCallCancellation, 'ids');
  if (Array.isArray(ids)) {
    const valid = (ids as unknown[]).filter(
      (id): id is string => typeof id === 'string',
    );
    if (valid.length) sink.toolCallCancellation(valid);
  } else if (raw.toolCallCancellation !== undefined) skip();

  if (isObject(raw.goAway)) sink.goAway(text(raw.goAway.timeLeft));
  else if (raw.goAway !== undefined) skip();

  const update = raw.sessionResumptionUpdate;
  const handle = text(field(update, 'newHandle'));
  const index = field(update, 'lastConsumedClientMessageIndex');
  const consumed = messageIndex(index);
  if (index !== undefined && consumed === undefined) skip();
  if (handle && field(update, 'resumable') !== false)
    sink.resumption(handle, consumed);
  return skipped;
}

/**
 * `lastConsumedClientMessageIndex` is an int64: proto3 JSON writes it as a decimal string (js-genai
 * types it `string`), Firebase's SDK as a number. Anything else is not an index.
 */
function messageIndex(value: unknown): number | undefined {
  const n =
    typeof value === 'string' && /^\d+$/.test(value)
      ? Number(value)
      : typeof value === 'number'
        ? value
        : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function isFunctionCall(value: unknown): value is LiveFunctionCall {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.name === 'string' &&
    (value.args === undefined || isObject(value.args))
  );
}
