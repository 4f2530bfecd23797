import type { XmlElement } from './twiml.parser';

/**
 * Twilio's answering-machine verdicts (`AnsweredBy`, https://www.twilio.com/docs/voice/answering-machine-detection):
 * with MachineDetection=DetectMessageEnd a machine is reported once its greeting has ended.
 */
export type FakeAnsweredBy =
  | 'human'
  | 'machine_start'
  | 'machine_end_beep'
  | 'machine_end_silence'
  | 'machine_end_other'
  | 'fax'
  | 'unknown';

/** A call's status as Twilio reports it (`CallStatus`). */
export type FakeCallStatus =
  | 'queued'
  | 'initiated'
  | 'ringing'
  | 'in-progress'
  | 'completed'
  | 'busy'
  | 'no-answer'
  | 'failed'
  | 'canceled';

/** How the simulated callee of one outbound call behaves. Times are ms. */
export interface CalleeScript {
  /** Answered (default), or the final status of a call nobody answers. */
  outcome?: 'answer' | 'busy' | 'no-answer' | 'failed';
  /** From the create until it is answered (or given up); default 50. */
  ringMs?: number;
  /** The answering-machine verdict, when the create asked for detection; default `human`. */
  answeredBy?: FakeAnsweredBy;
  /**
   * From the answer until detection reports (async AMD: the AsyncAmdStatusCallback; sync: the TwiML
   * starts then); default 200. A machine is reported after its greeting (DetectMessageEnd).
   */
  amdAfterMs?: number;
  /** What the callee says once its stream is up (8 kHz PCM16, sent in real time): a greeting, "Hello?". */
  speech?: Int16Array;
  /** The callee hangs up this long after answering; default never. */
  hangUpAfterMs?: number;
}

/** A Twilio REST error (https://www.twilio.com/docs/api/errors): what the fake answers instead. */
export interface TwilioApiError {
  /** HTTP status, e.g. 400 or 401. */
  status: number;
  /** Twilio's error code, e.g. 21211 (invalid To) or 20003 (authenticate). */
  code: number;
  message: string;
}

/** One request to the fake REST API, as received and answered. */
export interface RestRequestRecord {
  method: string;
  path: string;
  kind: 'create' | 'update' | 'fetch' | 'other';
  /** The call it named (updates, fetches) or created. */
  callSid?: string;
  /** Form fields; repeated ones (StatusCallbackEvent) as arrays. */
  params: Record<string, string | string[]>;
  /** HTTP status answered. */
  status: number;
  /** Twilio error code answered, if any. */
  errorCode?: number;
  /** ms since the fake started. */
  atMs: number;
}

/** A signed request the fake made to the service (Twilio's side of a webhook). */
export interface CallbackRecord {
  kind: 'status' | 'amd' | 'twiml' | 'dial-action';
  /** The public URL, as given to Twilio (and signed). */
  url: string;
  params: Record<string, string>;
  /** The service's HTTP status (0 when it could not be reached). */
  status: number;
  body: string;
  /** ms since the fake started. */
  atMs: number;
}

/** One target of a `<Dial>`: `<Number>`, `<Sip>`, `<Client>` or the verb's own text. */
export interface DialTarget {
  kind: 'number' | 'sip' | 'client';
  value: string;
  /** `url` of `<Number>`/`<Sip>`: TwiML played to the person who answers, before connecting (a whisper). */
  url?: string;
}

/** A `<Dial>` the fake reached, for a DialHandler to decide. */
export interface DialRequest {
  callSid: string;
  targets: DialTarget[];
  /** The verb's attributes (action, method, timeout, callerId, …). */
  attributes: Record<string, string>;
  element: XmlElement;
  /** Fetches TwiML from the service as Twilio would (a whisper `url`): signed POST, `params` added. */
  fetchTwiml(url: string, params?: Record<string, string>): Promise<string>;
}

/** How a `<Dial>` ended (`DialCallStatus`, and `DialCallDuration` in seconds). */
export interface DialOutcome {
  status:
    'completed' | 'answered' | 'busy' | 'no-answer' | 'failed' | 'canceled';
  durationSeconds?: number;
}

/**
 * Scripts `<Dial>` outcomes (transfers): the fake calls it for each `<Dial>` and then, as Twilio does,
 * requests the verb's `action` with `DialCallStatus`. Default: nobody answers (`no-answer`).
 */
export type DialHandler = (request: DialRequest) => Promise<DialOutcome>;

export interface FakeTwilioApiOptions {
  /** The account the fake serves (`AC` + 32 hex). */
  accountSid: string;
  /** Its auth token: Basic auth on every request, and the signatures of every callback. */
  authToken: string;
  /** Where the service really listens (`http://127.0.0.1:<port>`); settable later. */
  serviceUrl?: string;
  /** 0 (default): a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How a callee without a script of its own behaves (default: a person answers). */
  callee?: CalleeScript;
  dial?: DialHandler;
  /** How long a `<Say>` takes per character (ms; default 10). */
  sayMsPerChar?: number;
}
