import type { FakeTwilioApi } from '@app/simulators';
import * as http from 'node:http';
import { AUTH_TOKEN, CallHarness, eventually } from './support/call-harness';
import {
  ACCOUNT_SID,
  CALLER_ID,
  OutboundHarness,
  PERSON,
  SLOW,
  startOutboundHarness,
} from './support/outbound-harness';

/**
 * `POST /calls` and `POST /amd-status` as routes: admin-only, validated, rate-limited, bounded by
 * capacity, and honest about Twilio refusing; against the fake Twilio REST API.
 */
describe('POST /calls and /amd-status: guards, validation, capacity, Twilio refusals', () => {
  let o: OutboundHarness;
  let fake: FakeTwilioApi;
  let h: CallHarness;

  beforeAll(async () => {
    o = await startOutboundHarness();
    fake = o.fake!;
    h = o.h;
  });

  afterAll(() => o?.close());

  afterEach(() => expect(fake.faults).toEqual([]));

  const dial = (body: object) => o.dial(body);
  const liveCount = () => o.liveCount();

  it('is admin-only: 401 without a key or with a wrong one, and only the admin places a call', async () => {
    const creates = fake.creates.length;
    const anonymous = await fetch(`${h.baseUrl}/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: PERSON }),
    });
    expect(anonymous.status).toBe(401);
    const allowed = await dial({ to: PERSON });
    expect(allowed.status).toBe(201);
    const forged = await fetch(`${h.baseUrl}/calls`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer not-the-admin-key-at-all',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ to: PERSON }),
    });
    expect(forged.status).toBe(401);
    expect(fake.creates.length).toBe(creates + 1);
    const { callSid } = (await allowed.json()) as { callSid: string };
    fake.call(callSid)?.hangUp();
    await fake.call(callSid)?.ended;
  });

  it('validates: 400 with the reason for a bad number, an unknown profile or an unknown field', async () => {
    const creates = fake.creates.length;
    const cases: Array<[object, RegExp]> = [
      [{ to: '5550001' }, /to must be an E\.164 number/],
      [{ to: 'sip:nobody' }, /to must be an E\.164 number .* or a SIP URI/],
      [{ to: PERSON, from: 'me' }, /from must be an E\.164 number/],
      [
        { to: PERSON, profile: 'nope' },
        /Unknown profile "nope" \(profiles: default, sales\)/,
      ],
      [{ to: PERSON, extra: 1 }, /property extra should not exist/],
    ];
    for (const [body, reason] of cases) {
      const res = await dial(body);
      expect(res.status).toBe(400);
      const { message } = (await res.json()) as { message: string | string[] };
      expect([message].flat().join('; ')).toMatch(reason);
    }
    expect(fake.creates.length).toBe(creates);
  });

  it('at capacity: 503 with the reason and no REST create', async () => {
    const inbound = h.call();
    expect((await inbound.placeCall()).stream).toBe(true);
    const ringing = await dial({ to: SLOW });
    expect(ringing.status).toBe(201);
    const { callSid } = (await ringing.json()) as { callSid: string };
    const creates = fake.creates.length;
    const refused = await dial({ to: PERSON });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { message: string }).message).toMatch(
      /At capacity/,
    );
    expect(fake.creates.length).toBe(creates);
    // An admin ends the ringing call: hung up at Twilio (canceled) and the slot is free again.
    const ended = await h.admin('/end-call', {
      method: 'POST',
      body: JSON.stringify({ callSid }),
    });
    expect(ended.status).toBe(200);
    expect(await fake.call(callSid)?.ended).toBe('canceled');
    await inbound.hangUp();
    await eventually(async () => (await liveCount()) === 0);
  });

  it('Twilio refusing the create: the reason comes back, credentials never do, nothing stays reserved', async () => {
    fake.refuseNext({
      status: 400,
      code: 21211,
      message: `The 'To' number ${PERSON} is not a valid phone number.`,
    });
    const refused = await dial({ to: PERSON });
    expect(refused.status).toBe(400);
    const body = JSON.stringify(await refused.json());
    expect(body).toContain('Twilio refused the call');
    expect(body).toContain('Twilio error 21211');
    fake.refuseNext({ status: 401, code: 20003, message: 'Authenticate' });
    const unauthorized = await dial({ to: PERSON });
    expect(unauthorized.status).toBe(502);
    const text = JSON.stringify(await unauthorized.json());
    expect(text).toMatch(/rejected the service's credentials.*20003/);
    expect(text).not.toContain(AUTH_TOKEN);
    expect(fake.creates.slice(-2).map((c) => c.status)).toEqual([400, 401]);
    expect(await liveCount()).toBe(0);
  });

  it('/amd-status is signature-checked (403 unsigned) and validated (400)', async () => {
    const form = {
      CallSid: `CA${'a'.repeat(32)}`,
      AccountSid: ACCOUNT_SID,
      AnsweredBy: 'human',
    };
    const unsigned = await fetch(`${h.baseUrl}/amd-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    expect(unsigned.status).toBe(403);
    const signed = await h.call().postForm('/amd-status', form);
    expect(signed.status).toBe(204);
    const bad = await h
      .call()
      .postForm('/amd-status', { ...form, AnsweredBy: 'robot' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('AnsweredBy must be one of human');
  });

  it('is rate-limited like the other admin routes: 429 after 120 a minute from one client', async () => {
    const statuses: number[] = [];
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 121; i++) {
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          const req = http.request(
            `${h.baseUrl}/calls`,
            {
              method: 'POST',
              agent,
              localAddress: '127.0.0.7',
              headers: { 'content-type': 'application/json' },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          );
          req.on('error', reject);
          req.end('{}');
        }),
      );
    }
    agent.destroy();
    expect(statuses.slice(0, 120).every((s) => s === 401)).toBe(true);
    expect(statuses[120]).toBe(429);
  }, 15000);
});

describe('Outbound calls without a caller ID or Twilio credentials', () => {
  let o: OutboundHarness;

  beforeAll(async () => {
    o = await startOutboundHarness(
      { TWILIO_ACCOUNT_SID: '', TWILIO_PHONE_NUMBER: '' },
      false,
    );
  });

  afterAll(() => o?.close());

  it('400 when neither from nor TWILIO_PHONE_NUMBER is set; 503 when Twilio credentials are missing', async () => {
    const noFrom = await o.dial({ to: PERSON });
    expect(noFrom.status).toBe(400);
    expect(((await noFrom.json()) as { message: string }).message).toBe(
      'No number to call from: pass "from" or set TWILIO_PHONE_NUMBER',
    );
    const noCredentials = await o.dial({ to: PERSON, from: CALLER_ID });
    expect(noCredentials.status).toBe(503);
    expect(((await noCredentials.json()) as { message: string }).message).toBe(
      'Outbound calls are disabled: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN',
    );
  });
});
