import { verifySummarySignature } from '../src/examples/call-summary';
import { WebhookReceiver } from '../src/examples/call-summary/webhook-receiver.fixture';
import {
  CallHarness,
  eventually,
  startCallHarness,
} from './support/call-harness';

const SECRET = 'summary-secret-0123456789';

/** The call events reach a team's listener in the real app: the example notifier posts the summary. */
describe('Call events to the example call-summary notifier (real app)', () => {
  let h: CallHarness;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    // The first delivery fails with 500: the notifier must retry.
    receiver = await WebhookReceiver.start((index) =>
      index === 0 ? 500 : 200,
    );
    h = await startCallHarness(
      {
        EXAMPLE_MODULES: 'call-summary',
        CALL_SUMMARY_WEBHOOK_URL: receiver.url,
        CALL_SUMMARY_WEBHOOK_SECRET: SECRET,
      },
      {
        reply: { kind: 'tone', hz: 440, amplitude: 6000, ms: 300 },
        silenceMs: 200,
      },
    );
  });

  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  it('posts a signed summary with the transcript when a call ends, retrying after a 500', async () => {
    const call = h.call();
    await call.placeCall();
    await call.sendTone(1000, 300, 8000);
    await call.sendSilence(900);
    await call.hangUp();
    await eventually(() => receiver.requests.length >= 2, 8000, 50);
    const [first, second] = receiver.requests;
    expect(first.body).toBe(second.body);
    const signature = second.headers['x-signature-256'];
    expect(typeof signature).toBe('string');
    expect(
      verifySummarySignature(second.body, signature as string, SECRET),
    ).toBe(true);
    const summary = JSON.parse(second.body) as {
      event: string;
      callSid: string;
      endReason: string;
      transcript: Array<{ role: string; text: string }>;
    };
    expect(summary).toMatchObject({
      event: 'call.ended',
      callSid: call.callSid,
      endReason: 'caller-hangup',
    });
    expect(summary.transcript.map((t) => t.role)).toEqual(
      expect.arrayContaining(['caller', 'agent']),
    );
  }, 20000);
});
