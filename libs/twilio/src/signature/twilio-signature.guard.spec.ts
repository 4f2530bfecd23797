import { ExecutionContext, ForbiddenException, Logger } from '@nestjs/common';
import twilio from 'twilio';
import { TwilioOptions } from '../twilio.options';
import {
  SIGNATURE_MISMATCH_HINT,
  TwilioSignatureGuard,
} from './twilio-signature.guard';
import {
  TwilioSignatureVerifier,
  TwilioWebhookRequest,
} from './twilio-signature.verifier';

const TOKEN = 'secret-token-9f8e7d';
const options: TwilioOptions = {
  webhookBaseUrl: 'https://voice.example.test',
  authToken: TOKEN,
};
const body = { CallSid: 'CA' + '1'.repeat(32), From: '+15550001111' };

function contextFor(request: TwilioWebhookRequest): ExecutionContext {
  return {
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

describe('TwilioSignatureGuard', () => {
  const guard = new TwilioSignatureGuard(new TwilioSignatureVerifier(options));
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('lets a correctly signed webhook through without a log line', () => {
    const signature = twilio.getExpectedTwilioSignature(
      TOKEN,
      'https://voice.example.test/incoming-call',
      body,
    );
    const request = {
      originalUrl: '/incoming-call',
      headers: { 'x-twilio-signature': signature },
      body,
    };
    expect(guard.canActivate(contextFor(request))).toBe(true);
    expect(warn).not.toHaveBeenCalled();
  });

  it('logs a mismatch at warn with the URL it checked and the WEBHOOK_BASE_URL hint, never the signature or token', () => {
    // Signed over the URL Twilio really called (a tunnel's origin), not WEBHOOK_BASE_URL.
    const signature = twilio.getExpectedTwilioSignature(
      TOKEN,
      'https://abc123.tunnel.example/incoming-call?x=1',
      body,
    );
    const request = {
      originalUrl: '/incoming-call?x=1',
      headers: { 'x-twilio-signature': signature },
      body,
    };
    expect(() => guard.canActivate(contextFor(request))).toThrow(
      ForbiddenException,
    );
    expect(warn).toHaveBeenCalledTimes(1);
    const [line] = warn.mock.calls[0] as [Record<string, unknown>];
    expect(line).toEqual({
      msg: `Webhook signature mismatch: refused with 403. ${SIGNATURE_MISMATCH_HINT}`,
      checkedUrl: 'https://voice.example.test/incoming-call?x=1',
      problem: 'signature mismatch',
    });
    expect(line.msg).toMatch(/WEBHOOK_BASE_URL/);
    const text = JSON.stringify(line);
    expect(text).not.toContain(signature);
    expect(text).not.toContain(TOKEN);
  });

  it('says so when the signature header is missing altogether', () => {
    const request = { originalUrl: '/call-status', headers: {}, body };
    expect(() => guard.canActivate(contextFor(request))).toThrow(
      ForbiddenException,
    );
    const [line] = warn.mock.calls[0] as [Record<string, unknown>];
    expect(line).toMatchObject({
      checkedUrl: 'https://voice.example.test/call-status',
      problem: 'signature missing',
    });
  });
});
