/** What the Twilio module needs; the app maps its validated config onto this. */
export interface TwilioOptions {
  /** Public https origin Twilio reaches us on; every signature is checked against it. */
  webhookBaseUrl?: string;
  accountSid?: string;
  authToken?: string;
  /** A call is ended after this long (ms). */
  maxCallDurationMs: number;
  /** A stream with no media from Twilio for this long is ended (ms). */
  idleTimeoutMs: number;
  /** How long a one-time stream token (and the early Gemini session) waits for the stream (ms). */
  streamTokenTtlMs: number;
  /** A connected socket that sends no valid `start` within this is closed (ms). */
  streamStartTimeoutMs: number;
}

export const TWILIO_OPTIONS = 'TWILIO_OPTIONS';

export const MEDIA_STREAM_PATH = '/media-stream';
