export interface TwilioCallSimulatorOptions {
  /** Where requests really go, e.g. `http://127.0.0.1:8080`. */
  serviceUrl: string;
  /** The WEBHOOK_BASE_URL the service believes Twilio uses, e.g. `https://voice.example.test`; signatures cover it. */
  publicUrl: string;
  authToken: string;
  /** Default `AC` + 32 random hex. */
  accountSid?: string;
  /** Default +15005550006. */
  from?: string;
  /** Default +15005550001. */
  to?: string;
  /** Default `CA` + 32 random hex. */
  callSid?: string;
  /** Default `MZ` + 32 random hex. */
  streamSid?: string;
  /**
   * How long Twilio takes, after the webhook's TwiML, to open the media stream (ms; default 0). Real
   * calls take a few hundred ms to a second or more: time an early Gemini session can use.
   */
  streamDelayMs?: number;
  /** Keep sending silent frames whenever no caller audio is queued, as Twilio does (default true). */
  idleSilence?: boolean;
  /** Turns the TwiML's wss:// stream URL into the URL to dial (default: same path on serviceUrl). */
  mapStreamUrl?: (streamUrl: string) => string;
  /** Timing hooks for benchmarks (times are `performance.now()` ms). */
  probe?: SimulatorProbe;
}

/** Called as media frames leave and service messages arrive, for latency measurements. */
export interface SimulatorProbe {
  frameSent?(atMs: number): void;
  messageReceived?(event: string, atMs: number): void;
}

/** Outcome of `placeCall()`. */
export interface PlaceCallResult {
  /** HTTP status of POST /incoming-call. */
  status: number;
  twiml: string;
  /** True when a media stream was opened. */
  stream: boolean;
  /** The Stream url exactly as given in the TwiML. */
  streamUrl?: string;
  /** `<Parameter>` values, as they will arrive in start.customParameters. */
  parameters: Record<string, string>;
  /** Why the stream could not be opened (e.g. the handshake got HTTP 403). */
  streamError?: string;
  /** HTTP status of a refused WebSocket handshake. */
  streamStatus?: number;
}

/** Result of a signed webhook POST. */
export interface WebhookResponse {
  status: number;
  body: string;
  contentType: string;
}

/** A message from the service as Twilio reads it (fields are as sent, not validated). */
export interface ServiceStreamMessage {
  event?: string;
  streamSid?: string;
  media?: { payload?: string; [key: string]: unknown };
  mark?: { name?: string };
  [key: string]: unknown;
}

/** One message the service sent on the media stream. */
export interface StreamMessage {
  /** ms since the stream started. */
  atMs: number;
  /** `event` field, or `<binary>` / `<invalid>`. */
  event: string;
  message: ServiceStreamMessage;
  raw: string;
}

export interface MarkEvent {
  name: string;
  atMs: number;
}

export interface StreamClose {
  code: number;
  reason: string;
}
