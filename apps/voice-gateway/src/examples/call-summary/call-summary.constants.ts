import type { CallEndReason, TranscriptEntry } from '@app/call-manager';

/** Injection token for ResolvedCallSummaryOptions. */
export const CALL_SUMMARY_OPTIONS = 'CALL_SUMMARY_OPTIONS';

/** The request header carrying `sha256=<hex HMAC-SHA256 of the body>`. */
export const SIGNATURE_HEADER = 'X-Signature-256';
export const CALL_SID_HEADER = 'X-Call-Sid';

export interface CallSummaryOptions {
  /** Where to POST each call's summary (http or https); unset or empty: the module does nothing. */
  url?: string;
  /** HMAC key for the signature header; required when `url` is set. */
  secret?: string;
  /** Tries per summary, the first included (default 4). */
  maxAttempts?: number;
  /** Wait before the first retry, doubling each time (ms, default 500). */
  backoffMs?: number;
  /** Each attempt's time limit (ms, default 5000). */
  timeoutMs?: number;
}

export type ResolvedCallSummaryOptions =
  | { enabled: false }
  | {
      enabled: true;
      url: string;
      secret: string;
      maxAttempts: number;
      backoffMs: number;
      timeoutMs: number;
    };

export const DEFAULT_MAX_ATTEMPTS = 4;
export const DEFAULT_BACKOFF_MS = 500;
export const DEFAULT_TIMEOUT_MS = 5000;
/** No single wait between attempts is longer than this, whatever `backoffMs` and `maxAttempts` say. */
export const MAX_BACKOFF_MS = 30_000;

/** The JSON body of the webhook. `null` fields: the call's record was not available. */
export interface CallSummaryPayload {
  event: 'call.ended';
  callSid: string;
  from: string | null;
  to: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationSeconds: number;
  endReason: CallEndReason;
  transcript: TranscriptEntry[];
}
