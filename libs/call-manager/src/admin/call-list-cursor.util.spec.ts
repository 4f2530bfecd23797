import {
  decodeCallListCursor,
  encodeCallListCursor,
} from './call-list-cursor.util';

const sid = 'CA0123456789abcdef0123456789abcdef';

describe('GET /calls cursor', () => {
  it('round-trips a position, the time in toISOString() form', () => {
    const cursor = encodeCallListCursor({
      startedAt: '2026-11-24T10:00:00+01:00',
      callSid: sid,
    });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCallListCursor(cursor)).toEqual({
      startedAt: '2026-11-24T09:00:00.000Z',
      callSid: sid,
    });
  });

  it('keeps any CallSid a record may carry, separators aside', () => {
    const position = {
      startedAt: '2026-11-24T09:00:00.000Z',
      callSid: 'a-b_c',
    };
    expect(decodeCallListCursor(encodeCallListCursor(position))).toEqual(
      position,
    );
  });

  it('refuses anything it did not make', () => {
    const cursor = encodeCallListCursor({
      startedAt: '2026-11-24T09:00:00.000Z',
      callSid: sid,
    });
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    // Same bytes, other (unused) trailing bits: not the spelling it hands out.
    const alphabet =
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(cursor.slice(-1));
    const respelled = cursor.slice(0, -1) + alphabet[last ^ 1];
    expect(Buffer.from(respelled, 'base64url')).toEqual(
      Buffer.from(cursor, 'base64url'),
    );
    for (const bad of [
      undefined,
      42,
      '',
      `${cursor}=`,
      respelled,
      b64(`2026-11-24T09:00:00.000Z|${sid}|x`),
      b64(`2026-11-24T09:00:00.000Z|a\nb`),
      b64(`2026-11-24|${sid}`),
    ]) {
      expect(decodeCallListCursor(bad)).toBeUndefined();
    }
  });
});
