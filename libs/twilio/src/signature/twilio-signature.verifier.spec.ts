import twilio from 'twilio';
import { TwilioOptions } from '../twilio.options';
import { TwilioSignatureVerifier } from './twilio-signature.verifier';

const options: TwilioOptions = {
  webhookBaseUrl: 'https://voice.example.test',
  authToken: 'secret-token',
  accountSid: 'AC' + '0'.repeat(32),
};
const params = {
  CallSid: 'CA' + '1'.repeat(32),
  From: '+15550001111',
  To: '+15550002222',
};

describe('TwilioSignatureVerifier', () => {
  const verifier = new TwilioSignatureVerifier(options);

  it('accepts a webhook signed over WEBHOOK_BASE_URL + path', () => {
    const sig = twilio.getExpectedTwilioSignature(
      'secret-token',
      'https://voice.example.test/incoming-call',
      params,
    );
    expect(verifier.verifyWebhook(sig, '/incoming-call', params)).toBe(true);
  });

  it('rejects a signature over another host (the Host-header trap), another token, or changed params', () => {
    const otherHost = twilio.getExpectedTwilioSignature(
      'secret-token',
      'http://127.0.0.1:8080/incoming-call',
      params,
    );
    const otherToken = twilio.getExpectedTwilioSignature(
      'other',
      'https://voice.example.test/incoming-call',
      params,
    );
    const good = twilio.getExpectedTwilioSignature(
      'secret-token',
      'https://voice.example.test/incoming-call',
      params,
    );
    expect(verifier.verifyWebhook(otherHost, '/incoming-call', params)).toBe(
      false,
    );
    expect(verifier.verifyWebhook(otherToken, '/incoming-call', params)).toBe(
      false,
    );
    expect(
      verifier.verifyWebhook(good, '/incoming-call', {
        ...params,
        To: '+15559999999',
      }),
    ).toBe(false);
    expect(verifier.verifyWebhook(undefined, '/incoming-call', params)).toBe(
      false,
    );
  });

  it('verifies a request once, however often it is asked (rate limiter, then guard)', () => {
    const sig = twilio.getExpectedTwilioSignature(
      'secret-token',
      'https://voice.example.test/incoming-call',
      params,
    );
    const signed = {
      originalUrl: '/incoming-call',
      headers: { 'x-twilio-signature': sig },
      body: params,
    };
    const forged = { ...signed, headers: { 'x-twilio-signature': 'forged' } };
    const check = jest.spyOn(verifier, 'verifyWebhook');
    expect(verifier.verifyRequest(signed)).toBe(true);
    expect(verifier.verifyRequest(signed)).toBe(true);
    expect(verifier.verifyRequest(forged)).toBe(false);
    expect(verifier.verifyRequest(forged)).toBe(false);
    expect(verifier.verifyRequest({ ...signed, headers: {} })).toBe(false);
    expect(check).toHaveBeenCalledTimes(3);
    check.mockRestore();
  });

  it('checks the stream handshake over the wss:// URL with no parameters', () => {
    expect(verifier.streamUrl).toBe('wss://voice.example.test/media-stream');
    const sig = twilio.getExpectedTwilioSignature(
      'secret-token',
      'wss://voice.example.test/media-stream',
      {},
    );
    expect(verifier.verifyStream(sig)).toBe(true);
    expect(verifier.verifyStream(sig.replace(/.$/, 'x'))).toBe(false);
  });

  it('is disabled, never open, without a token or base URL', () => {
    const off = new TwilioSignatureVerifier({
      ...options,
      authToken: undefined,
    });
    expect(off.disabledReason).toMatch(/TWILIO_AUTH_TOKEN/);
    expect(off.verifyWebhook('anything', '/incoming-call', params)).toBe(false);
    expect(off.verifyStream('anything')).toBe(false);
  });
});
