import type { IncomingHttpHeaders } from 'node:http';

/** A reply the emulated agent speaks. */
export type ReplySpec =
  | { kind: 'tone'; hz?: number; amplitude?: number; ms?: number }
  /** The caller's turn audio resampled 16 → 24 kHz (a tone when the turn was text). */
  | { kind: 'echo' }
  /** Exact 24 kHz PCM16 samples. */
  | { kind: 'pcm'; samples: Int16Array };

/** What the agent is replying to. */
export interface ReplyContext {
  /** 1 for the session's first reply. */
  turnIndex: number;
  /** The caller's turn audio at 16 kHz (audio turns only). */
  audio?: Int16Array;
  /** The text that triggered the reply (realtimeInput.text / clientContent). */
  text?: string;
  /** Set when a tool response triggered the reply. */
  toolResponse?: boolean;
}

/** Credential a connection presented. */
export interface SessionCredential {
  type: 'apiKey' | 'bearer' | 'none';
  value?: string;
  via?: 'query' | 'header';
}

export interface GeminiLiveEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Accepted `?key=` / `x-goog-api-key`. With neither apiKey nor accessToken set, anything is accepted. */
  apiKey?: string;
  /** Accepted `Authorization: Bearer` token (Vertex, or OAuth on the Gemini API). */
  accessToken?: string;
  /**
   * Model ids accepted after `models/` (default: gemini-3.8-live and gemini-3.8-live-extended-thinking).
   * For 3.8 models, a setup carrying `generationConfig.thinkingConfig`, `…enableAffectiveDialog` or
   * `proactivity` is refused with 1007, as the real API does (PROTOCOLS.md).
   */
  knownModels?: string[];
  /** Reply kind, or a function choosing one per turn (default 440 Hz tone, 8000, 1000 ms). */
  reply?: ReplySpec | ((context: ReplyContext) => ReplySpec);
  /** Input transcription text (default `caller spoke N ms`). */
  transcribe?: (audio: Int16Array) => string;
  /** Output transcription text (default describes the reply). */
  replyText?: (context: ReplyContext) => string;
  /** Block RMS above which a 20 ms block is speech (default 500). */
  speechThreshold?: number;
  /** Silence that ends a turn (default 300 ms). */
  silenceMs?: number;
  /** Speech needed before a turn counts (default 100 ms). */
  minSpeechMs?: number;
  /** Continuous speech that interrupts a reply being sent (default 40 ms). */
  bargeInMs?: number;
  /** Gap between 40 ms reply chunks (default 20 ms; 0 = as fast as possible). */
  chunkIntervalMs?: number;
  /** Delay before `setupComplete` (default 0). */
  setupDelayMs?: number;
  /** Reply after a toolResponse (default true). */
  replyToToolResponses?: boolean;
  /** Send `goAway` this long after setup, then close 1011 once its timeLeft ends (default off). */
  goAwayAfterMs?: number;
  /** timeLeft of the automatic goAway (default '5s'). */
  goAwayTimeLeft?: string;
  /**
   * Refuse (close 1011 before setupComplete) a resume whose handle's issuing connection is still
   * open, as one field report says the real server does (PROTOCOLS.md). Default false.
   */
  refuseResumeWhileIssuerOpen?: boolean;
  /**
   * Also issue a resumption handle this often while the model is idle (ms); default off: handles
   * come at setup, when a reply ends and when the last open tool call is answered.
   */
  resumptionUpdateEveryMs?: number;
  /**
   * A model that does not answer: `true` answers nothing (but scripted `speak()`), `'audio'` answers
   * text (a nudge, a DTMF note) and tool responses but not the caller's spoken turns. Default false.
   */
  silent?: boolean | 'audio';
  /**
   * Send `voiceActivity` ACTIVITY_START when the caller starts speaking (before any `interrupted`)
   * and ACTIVITY_END when their turn ends (before its input transcription). Default false.
   */
  voiceActivity?: boolean;
  /**
   * Extended-thinking models (`…-extended-thinking`): after a spoken turn, report `interactionStatus`
   * IN_PROGRESS (with a `turnComplete`, no audio) and think this long (ms) before answering; the
   * answer's `turnComplete` carries IDLE. Default 0: answer at once (still IDLE with turnComplete).
   */
  thinkingMs?: number;
  /**
   * The model's response delay (ms): after a spoken caller turn ends (ACTIVITY_END and the input
   * transcription are sent at once), wait this long before the reply's first audio chunk. A turn
   * ending meanwhile replaces the waiting one. Default 0: answer at once.
   */
  responseDelayMs?: number;
}

/** Options with defaults applied. */
type OptionalKeys =
  | 'apiKey'
  | 'accessToken'
  | 'goAwayAfterMs'
  | 'replyText'
  | 'refuseResumeWhileIssuerOpen'
  | 'resumptionUpdateEveryMs'
  | 'silent'
  | 'voiceActivity'
  | 'thinkingMs'
  | 'responseDelayMs';
export type ResolvedEmulatorOptions = Required<
  Omit<GeminiLiveEmulatorOptions, OptionalKeys>
> &
  Pick<GeminiLiveEmulatorOptions, OptionalKeys>;

export interface InlineBlob {
  data?: string;
  mimeType?: string;
}

export interface Part {
  text?: string;
  inlineData?: InlineBlob;
  [key: string]: unknown;
}

export interface Content {
  role?: string;
  parts?: Part[];
}

export interface SetupMessage {
  model?: string;
  generationConfig?: { responseModalities?: string[]; [key: string]: unknown };
  systemInstruction?: Content;
  tools?: unknown[];
  inputAudioTranscription?: object;
  outputAudioTranscription?: object;
  realtimeInputConfig?: {
    automaticActivityDetection?: { disabled?: boolean; [key: string]: unknown };
    activityHandling?: string;
    [key: string]: unknown;
  };
  sessionResumption?: { handle?: string; [key: string]: unknown };
  contextWindowCompression?: object;
  [key: string]: unknown;
}

export interface RealtimeInput {
  audio?: InlineBlob;
  mediaChunks?: InlineBlob[];
  video?: InlineBlob;
  text?: string;
  activityStart?: object;
  activityEnd?: object;
  audioStreamEnd?: boolean;
}

export interface FunctionResponse {
  id?: string;
  name?: string;
  response?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A client message after snake_case keys were read as camelCase. */
export interface ClientMessage {
  setup?: SetupMessage;
  realtimeInput?: RealtimeInput;
  clientContent?: { turns?: Content[]; turnComplete?: boolean };
  toolResponse?: { functionResponses?: FunctionResponse[] };
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/** What the emulator knows about the upgrade request. */
export interface SessionRequest {
  api: 'gemini' | 'vertex';
  path: string;
  headers: IncomingHttpHeaders;
  credential: SessionCredential;
}
