import { createHmac } from 'node:crypto';
import {
  signSummaryBody,
  verifySummarySignature,
} from './summary-signature.util';

describe('summary signature', () => {
  const body = JSON.stringify({
    event: 'call.ended',
    callSid: 'CA1',
    text: 'café',
  });

  it('is sha256= and the hex HMAC-SHA256 of the exact body', () => {
    const hex = createHmac('sha256', 'k')
      .update(Buffer.from(body, 'utf8'))
      .digest('hex');
    expect(signSummaryBody(body, 'k')).toBe(`sha256=${hex}`);
  });

  it('verifies a good signature from a string or a Buffer body, hex in either case', () => {
    const header = signSummaryBody(body, 'k');
    expect(verifySummarySignature(body, header, 'k')).toBe(true);
    expect(verifySummarySignature(Buffer.from(body), header, 'k')).toBe(true);
    expect(
      verifySummarySignature(
        body,
        `sha256=${header.slice(7).toUpperCase()}`,
        'k',
      ),
    ).toBe(true);
  });

  it('rejects a changed body, another secret, and a missing or malformed header', () => {
    const header = signSummaryBody(body, 'k');
    expect(verifySummarySignature(`${body} `, header, 'k')).toBe(false);
    expect(verifySummarySignature(body, header, 'other')).toBe(false);
    expect(verifySummarySignature(body, undefined, 'k')).toBe(false);
    expect(verifySummarySignature(body, [header], 'k')).toBe(false);
    expect(verifySummarySignature(body, header.slice(0, -2), 'k')).toBe(false);
    expect(verifySummarySignature(body, header.slice(7), 'k')).toBe(false);
    expect(verifySummarySignature(body, header, '')).toBe(false);
  });
});
