import type { OutboundOptions } from './outbound/outbound.options';

/** What the media gateway needs; the app maps its validated config onto this. */
export interface MediaGatewayOptions {
  /** Twilio's auth token: the one-time stream tokens are signed with a key derived from it. */
  authToken?: string;
  /** A call is ended after this long (ms). */
  maxCallDurationMs: number;
  /** A stream with no media from Twilio for this long is ended (ms). */
  idleTimeoutMs: number;
  /** How long a one-time stream token (and the early Gemini session) waits for the stream (ms). */
  streamTokenTtlMs: number;
  /** A connected socket that sends no valid `start` within this is closed (ms). */
  streamStartTimeoutMs: number;
  /**
   * Stall watchdog (ms): after the caller's turn, this long without agent audio (no tool running, the
   * model not thinking) nudges the model; as long again plays "one moment, please". Default 6000.
   */
  agentStallTimeoutMs?: number;
  /**
   * Caller audio per message to Gemini (ms, a multiple of 20; default 20: each Twilio frame as it
   * comes). 40 halves the upstream messages and writes at up to 20 ms more caller → Gemini latency.
   */
  upstreamFrameMs?: number;
  /** Outbound calls (`POST /calls`): caller ID and timings; unset: defaults, `from` required. */
  outbound?: OutboundOptions;
}

export const MEDIA_GATEWAY_OPTIONS = 'MEDIA_GATEWAY_OPTIONS';
