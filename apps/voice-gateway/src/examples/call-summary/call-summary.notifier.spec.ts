import type { CallEventMap, CallRecord } from '@app/call-manager';
import { Logger } from '@nestjs/common';
import type { CallSummaryOptions } from './call-summary.constants';
import { resolveCallSummaryOptions } from './call-summary.module';
import { CallSummaryNotifier } from './call-summary.notifier';
import { verifySummarySignature } from './summary-signature.util';
import { WebhookReceiver } from './webhook-receiver.fixture';
import { WebhookSender } from './webhook-sender.service';

const SECRET = 'test-webhook-secret';
const CALL_SID = `CA${'a'.repeat(32)}`;
const RECORD: CallRecord = {
  callSid: CALL_SID,
  from: '+447700900001',
  to: '+441632960000',
  status: 'completed',
  startedAt: '2025-06-04T09:00:00.000Z',
  answeredAt: '2025-06-04T09:00:01.000Z',
  endedAt: '2025-06-04T09:02:05.000Z',
  durationSeconds: 125,
  endReason: 'caller-hangup',
  transcript: [
    {
      role: 'agent',
      text: 'Hello, how can I help?',
      at: '2025-06-04T09:00:02.000Z',
    },
    {
      role: 'caller',
      text: 'Is the café open on Monday? ☕',
      at: '2025-06-04T09:00:06.000Z',
    },
  ],
};
const EVENT: CallEventMap['call.ended'] = {
  callSid: CALL_SID,
  reason: 'caller-hangup',
  durationSeconds: 125,
  record: RECORD,
};

function notifierFor(
  options: CallSummaryOptions,
  sender = new WebhookSender(),
): CallSummaryNotifier {
  return new CallSummaryNotifier(
    resolveCallSummaryOptions({
      secret: SECRET,
      backoffMs: 1,
      timeoutMs: 1000,
      ...options,
    }),
    sender,
  );
}

describe('CallSummaryNotifier', () => {
  let receiver: WebhookReceiver | undefined;
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;

  beforeEach(() => {
    log = jest
      .spyOn(Logger.prototype, 'log')
      .mockImplementation(() => undefined);
    warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await receiver?.close();
    receiver = undefined;
  });

  it('POSTs the exact payload, signed, to the receiver', async () => {
    receiver = await WebhookReceiver.start();
    const outcome = await notifierFor({ url: receiver.url }).onCallEnded(EVENT);

    expect(outcome).toEqual({ outcome: 'delivered', attempts: 1, status: 200 });
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/hooks/call-summary');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-call-sid']).toBe(CALL_SID);
    expect(
      verifySummarySignature(
        request.body,
        request.headers['x-signature-256'],
        SECRET,
      ),
    ).toBe(true);
    expect(
      verifySummarySignature(
        request.body,
        request.headers['x-signature-256'],
        'other',
      ),
    ).toBe(false);

    const expected = {
      event: 'call.ended',
      callSid: CALL_SID,
      from: '+447700900001',
      to: '+441632960000',
      startedAt: '2025-06-04T09:00:00.000Z',
      endedAt: '2025-06-04T09:02:05.000Z',
      durationSeconds: 125,
      endReason: 'caller-hangup',
      transcript: RECORD.transcript,
    };
    expect(request.body).toBe(JSON.stringify(expected)); // key order and UTF-8 text included
    expect(log).toHaveBeenCalledWith(
      expect.objectContaining({
        msg: 'Call summary delivered',
        callSid: CALL_SID,
        attempts: 1,
      }),
    );
  });

  it('retries 5xx with backoff: 500, 500, then 200 is exactly 3 deliveries of the same body', async () => {
    receiver = await WebhookReceiver.start((i) => (i < 2 ? 500 : 200));
    const outcome = await notifierFor({ url: receiver.url }).onCallEnded(EVENT);

    expect(outcome).toEqual({ outcome: 'delivered', attempts: 3, status: 200 });
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    expect(
      new Set(receiver.requests.map((r) => r.headers['x-signature-256'])).size,
    ).toBe(1);
  });

  it('retries 429', async () => {
    receiver = await WebhookReceiver.start((i) => (i === 0 ? 429 : 204));
    await expect(
      notifierFor({ url: receiver.url }).onCallEnded(EVENT),
    ).resolves.toEqual({
      outcome: 'delivered',
      attempts: 2,
      status: 204,
    });
  });

  it('does not retry other 4xx: 400 is one attempt only', async () => {
    receiver = await WebhookReceiver.start(() => 400);
    const outcome = await notifierFor({ url: receiver.url }).onCallEnded(EVENT);

    expect(outcome).toEqual({ outcome: 'rejected', attempts: 1, status: 400 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(receiver.requests).toHaveLength(1);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ status: 400, callSid: CALL_SID }),
    );
  });

  it('gives up on an unreachable URL after maxAttempts, without throwing', async () => {
    const closed = await WebhookReceiver.start();
    const url = closed.url;
    await closed.close(); // nothing listens on that port now
    const sender = new WebhookSender();
    const post = jest.spyOn(sender, 'post');

    const outcome = await notifierFor(
      { url, maxAttempts: 3 },
      sender,
    ).onCallEnded(EVENT);

    expect(outcome).toMatchObject({ outcome: 'gave-up', attempts: 3 });
    expect(outcome.outcome === 'gave-up' && outcome.lastError).toMatch(
      /ECONNREFUSED/,
    );
    expect(post).toHaveBeenCalledTimes(3);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({
        msg: 'Call summary not delivered; giving up',
        attempts: 3,
      }),
    );
  });

  it('times out an attempt that gets no answer and retries it', async () => {
    receiver = await WebhookReceiver.start(() => 'hang');
    const outcome = await notifierFor({
      url: receiver.url,
      timeoutMs: 100,
      maxAttempts: 2,
    }).onCallEnded(EVENT);

    expect(outcome).toMatchObject({ outcome: 'gave-up', attempts: 2 });
    expect(outcome.outcome === 'gave-up' && outcome.lastError).toMatch(
      /TimeoutError/,
    );
    expect(receiver.requests).toHaveLength(2);
  });

  it('is inert without a url', async () => {
    const sender = new WebhookSender();
    const post = jest.spyOn(sender, 'post');
    await expect(notifierFor({}, sender).onCallEnded(EVENT)).resolves.toEqual({
      outcome: 'disabled',
    });
    await expect(
      notifierFor({ url: '  ' }, sender).onCallEnded(EVENT),
    ).resolves.toEqual({ outcome: 'disabled' });
    expect(post).not.toHaveBeenCalled();
  });

  it('sends what the event carries when the call record is missing', async () => {
    receiver = await WebhookReceiver.start();
    await notifierFor({ url: receiver.url }).onCallEnded({
      callSid: CALL_SID,
      reason: 'refused',
      durationSeconds: 0,
    });
    expect(JSON.parse(receiver.requests[0].body)).toEqual({
      event: 'call.ended',
      callSid: CALL_SID,
      from: null,
      to: null,
      startedAt: null,
      endedAt: null,
      durationSeconds: 0,
      endReason: 'refused',
      transcript: [],
    });
  });

  it('never throws out of the listener, even on a malformed event or a broken sender', async () => {
    const broken = new WebhookSender();
    jest.spyOn(broken, 'post').mockImplementation(() => {
      throw new Error('boom');
    });
    const notifier = notifierFor(
      { url: 'http://127.0.0.1:9/', maxAttempts: 2 },
      broken,
    );
    await expect(notifier.onCallEnded(EVENT)).resolves.toMatchObject({
      outcome: 'gave-up',
      attempts: 2,
    });
    await expect(
      notifier.onCallEnded(undefined as never),
    ).resolves.toMatchObject({ outcome: 'gave-up' });
  });

  it('stops retrying at shutdown and lets the attempt in progress finish', async () => {
    receiver = await WebhookReceiver.start(() => 503);
    const notifier = notifierFor({ url: receiver.url, backoffMs: 10_000 });
    const outcome = notifier.onCallEnded(EVENT);
    await receiver.waitForRequests(1);

    const started = Date.now();
    await notifier.onApplicationShutdown();
    await expect(outcome).resolves.toMatchObject({
      outcome: 'gave-up',
      attempts: 1,
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(receiver.requests).toHaveLength(1);
  });
});
