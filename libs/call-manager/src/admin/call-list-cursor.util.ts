import type { CallListCursor } from '../store/call-store.interface';

/** Longest cursor accepted (a Twilio CallSid's cursor is 80 characters). */
const MAX_CURSOR_LENGTH = 256;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** No separators or control characters in a CallSid carried by a cursor. */
const CURSOR_CALL_SID = /^[^|\p{Cc}]{1,128}$/u;

/**
 * The opaque `cursor` of `GET /calls` for a list position: base64url (no padding) of
 * `<startedAt>|<callSid>`, startedAt in `toISOString()` form. Clients pass it back unchanged.
 */
export function encodeCallListCursor(position: CallListCursor): string {
  const startedAt = new Date(Date.parse(position.startedAt)).toISOString();
  return Buffer.from(`${startedAt}|${position.callSid}`, 'utf8').toString(
    'base64url',
  );
}

/**
 * The list position in a cursor made by encodeCallListCursor, or undefined for anything else
 * (not base64url, not canonical, no `|`, a time not in `toISOString()` form, an empty or
 * over-long CallSid). Never throws.
 */
export function decodeCallListCursor(
  cursor: unknown,
): CallListCursor | undefined {
  if (
    typeof cursor !== 'string' ||
    cursor.length > MAX_CURSOR_LENGTH ||
    !BASE64URL.test(cursor)
  ) {
    return undefined;
  }
  const bytes = Buffer.from(cursor, 'base64url');
  // One spelling per cursor: rejects stray trailing bits and lone characters.
  if (bytes.toString('base64url') !== cursor) return undefined;
  const text = bytes.toString('utf8');
  const bar = text.indexOf('|');
  if (bar < 0) return undefined;
  const startedAt = text.slice(0, bar);
  const callSid = text.slice(bar + 1);
  const ms = Date.parse(startedAt);
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== startedAt) {
    return undefined;
  }
  if (!CURSOR_CALL_SID.test(callSid)) return undefined;
  return { startedAt, callSid };
}
