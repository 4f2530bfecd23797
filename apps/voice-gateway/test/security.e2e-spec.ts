import twilio from 'twilio';
import WebSocket from 'ws';
import {
  AUTH_TOKEN,
  CallHarness,
  PUBLIC_URL,
  startCallHarness,
} from './support/call-harness';

const STREAM_URL = 'wss://voice.example.test/media-stream';
const sid = (prefix: string): string =>
  prefix + Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32);

/** Opens a raw media-stream socket and resolves when the service closes it. */
function openStream(
  h: CallHarness,
  signature?: string,
): { ws: WebSocket; closed: Promise<{ code: number; reason: string }> } {
  const ws = new WebSocket(h.baseUrl.replace('http', 'ws') + '/media-stream', {
    headers: signature ? { 'x-twilio-signature': signature } : {},
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) =>
      resolve({ code, reason: reason.toString() }),
    ),
  );
  return { ws, closed };
}

function startFrame(
  callSid: string,
  token: string,
  encoding = 'audio/x-mulaw',
): string {
  const streamSid = sid('MZ');
  return JSON.stringify({
    event: 'start',
    sequenceNumber: '1',
    streamSid,
    start: {
      accountSid: sid('AC'),
      streamSid,
      callSid,
      tracks: ['inbound'],
      mediaFormat: { encoding, sampleRate: 8000, channels: 1 },
      customParameters: { token },
    },
  });
}

const goodStreamSignature = twilio.getExpectedTwilioSignature(
  AUTH_TOKEN,
  STREAM_URL,
  {},
);

describe('Twilio signatures and stream tokens (real app)', () => {
  let h: CallHarness;

  beforeAll(async () => {
    h = await startCallHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  describe('POST /incoming-call', () => {
    const params = (): Record<string, string> => ({
      CallSid: sid('CA'),
      AccountSid: sid('AC'),
      From: '+15550001111',
      To: '+15550002222',
      CallStatus: 'ringing',
    });
    const post = (
      body: Record<string, string>,
      signature?: string,
    ): Promise<Response> =>
      fetch(`${h.baseUrl}/incoming-call`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(signature ? { 'x-twilio-signature': signature } : {}),
        },
        body: new URLSearchParams(body).toString(),
      });

    it.each([
      ['unsigned', () => undefined],
      [
        'signed with another auth token',
        (p: Record<string, string>) =>
          twilio.getExpectedTwilioSignature(
            'other',
            `${PUBLIC_URL}/incoming-call`,
            p,
          ),
      ],
      [
        'signed over the Host header URL',
        (p: Record<string, string>) =>
          twilio.getExpectedTwilioSignature(
            AUTH_TOKEN,
            `${h.baseUrl}/incoming-call`,
            p,
          ),
      ],
    ])(
      '%s → 403 with a reason, and no Gemini session is opened',
      async (_, sign) => {
        const before = h.emulator.sessions.length;
        const body = params();
        const res = await post(body, sign(body));
        expect(res.status).toBe(403);
        expect(((await res.json()) as { message: string }).message).toMatch(
          /X-Twilio-Signature/,
        );
        await new Promise((r) => setTimeout(r, 50));
        expect(h.emulator.sessions.length).toBe(before);
      },
    );

    it('signed → TwiML that connects a wss:// stream with parameters and no query string', async () => {
      const body = params();
      const res = await post(
        body,
        twilio.getExpectedTwilioSignature(
          AUTH_TOKEN,
          `${PUBLIC_URL}/incoming-call`,
          body,
        ),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/xml/);
      const xml = await res.text();
      expect(xml).toContain(`<Connect><Stream url="${STREAM_URL}">`);
      expect(xml).toMatch(/<Parameter name="token" value="[\w.-]{20,}"\/>/);
      expect(xml).not.toContain('media-stream?');
    });

    it('signed but invalid fields → 400 with the reason', async () => {
      const body = { ...params(), CallSid: 'not-a-call' };
      const res = await post(
        body,
        twilio.getExpectedTwilioSignature(
          AUTH_TOKEN,
          `${PUBLIC_URL}/incoming-call`,
          body,
        ),
      );
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/CallSid must be/);
    });
  });

  describe('WS /media-stream', () => {
    it.each([
      ['without a signature', undefined],
      [
        'with a forged signature',
        twilio.getExpectedTwilioSignature('other', STREAM_URL, {}),
      ],
      [
        'signed over the ws:// Host URL',
        twilio.getExpectedTwilioSignature(
          AUTH_TOKEN,
          'ws://127.0.0.1/media-stream',
          {},
        ),
      ],
    ])(
      'a handshake %s is closed with 1008 before any Gemini session is used',
      async (_, signature) => {
        const before = h.emulator.sessions.length;
        const { closed } = openStream(h, signature);
        const { code, reason } = await closed;
        expect(code).toBe(1008);
        expect(reason).toMatch(/X-Twilio-Signature/);
        expect(h.emulator.sessions.length).toBe(before);
      },
    );

    it('a signed stream with a made-up token is closed with 1008 and opens no session', async () => {
      const before = h.emulator.sessions.length;
      const { ws, closed } = openStream(h, goodStreamSignature);
      ws.on('open', () => ws.send(startFrame(sid('CA'), 'made-up-token')));
      expect(await closed).toEqual({
        code: 1008,
        reason: 'invalid, expired or reused stream token',
      });
      expect(h.emulator.sessions.length).toBe(before);
    });

    it('a second stream reusing a spent token is refused; the first call keeps its one session', async () => {
      const call = h.call();
      const placed = await call.placeCall();
      expect(placed.stream).toBe(true);
      const sessionsAfterFirst = h.emulator.sessions.length;
      const { ws, closed } = openStream(h, goodStreamSignature);
      ws.on('open', () =>
        ws.send(startFrame(call.callSid, placed.parameters.token)),
      );
      expect((await closed).code).toBe(1008);
      expect(h.emulator.sessions.length).toBe(sessionsAfterFirst);
      const live = (await (await h.admin('/calls')).json()) as {
        calls: Array<{ callSid: string }>;
      };
      expect(live.calls.map((c) => c.callSid)).toContain(call.callSid);
      await call.hangUp();
    });

    it('a token issued for another call is refused', async () => {
      const callA = {
        CallSid: sid('CA'),
        AccountSid: sid('AC'),
        From: '+15550001111',
        To: '+15550002222',
      };
      const res = await fetch(`${h.baseUrl}/incoming-call`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilio.getExpectedTwilioSignature(
            AUTH_TOKEN,
            `${PUBLIC_URL}/incoming-call`,
            callA,
          ),
        },
        body: new URLSearchParams(callA).toString(),
      });
      const tokenA =
        /name="token" value="([^"]+)"/.exec(await res.text())?.[1] ?? '';
      expect(tokenA).not.toBe('');
      const { ws, closed } = openStream(h, goodStreamSignature);
      ws.on('open', () => ws.send(startFrame(sid('CA'), tokenA)));
      expect((await closed).code).toBe(1008);
    });

    it('a stream in another media format is closed with 1003', async () => {
      const { ws, closed } = openStream(h, goodStreamSignature);
      ws.on('open', () => ws.send(startFrame(sid('CA'), 'x', 'audio/x-alaw')));
      expect((await closed).code).toBe(1003);
    });

    it('media before start is closed with 1008', async () => {
      const { ws, closed } = openStream(h, goodStreamSignature);
      ws.on('open', () =>
        ws.send(
          JSON.stringify({
            event: 'media',
            sequenceNumber: '2',
            streamSid: sid('MZ'),
            media: { payload: 'AAAA' },
          }),
        ),
      );
      expect(await closed).toEqual({
        code: 1008,
        reason: 'media before start',
      });
    });
  });

  describe('POST /call-status', () => {
    it('is signature-checked and ends a call Twilio reports completed', async () => {
      const call = h.call();
      await call.placeCall();
      const unsigned = await fetch(`${h.baseUrl}/call-status`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          CallSid: call.callSid,
          CallStatus: 'completed',
        }).toString(),
      });
      expect(unsigned.status).toBe(403);
      const res = await call.postStatus('completed');
      expect(res.status).toBe(204);
      expect((await call.closed).code).toBe(1000);
      const record = (await (
        await h.admin(`/calls/${call.callSid}`)
      ).json()) as Record<string, unknown>;
      expect(record).toMatchObject({
        status: 'completed',
        twilioStatus: 'completed',
      });
    });
  });
});

describe('At capacity (MAX_CONCURRENT_CALLS=1)', () => {
  let h: CallHarness;

  beforeAll(async () => {
    h = await startCallHarness({ MAX_CONCURRENT_CALLS: '1' });
  });

  afterAll(async () => {
    await h.close();
  });

  it('answers the next caller with a short spoken apology and hangs up, opening no session', async () => {
    const first = h.call();
    expect((await first.placeCall()).stream).toBe(true);
    const sessions = h.emulator.sessions.length;
    const second = h.call();
    const placed = await second.placeCall();
    expect(placed.stream).toBe(false);
    expect(placed.twiml).toMatch(/<Say>Sorry[^<]*busy[^<]*<\/Say><Hangup\/>/);
    expect(h.emulator.sessions.length).toBe(sessions);
    await first.hangUp();
  });
});
