import twilio from 'twilio';
import WebSocket from 'ws';
import {
  AUTH_TOKEN,
  CallHarness,
  startCallHarness,
} from './support/call-harness';

/** Deterministic PRNG (mulberry32) so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const MESSAGES = Number(process.env.FUZZ_MESSAGES ?? 6000);
const STREAM_URL = 'wss://voice.example.test/media-stream';

describe(`Fuzzing the media stream gateway (seed ${SEED})`, () => {
  let h: CallHarness;

  beforeAll(async () => {
    h = await startCallHarness(
      {},
      {
        reply: { kind: 'tone', hz: 440, amplitude: 6000, ms: 300 },
        silenceMs: 200,
      },
    );
  });

  afterAll(() => h.close());

  it('survives random and mutated Twilio messages with zero crashes while a real call carries on', async () => {
    const random = prng(SEED);
    const pick = <T>(items: readonly T[]): T =>
      items[Math.floor(random() * items.length)];
    const junk = (n: number): string =>
      Array.from({ length: n }, () =>
        String.fromCharCode(32 + Math.floor(random() * 95)),
      ).join('');

    // A real call alongside the fuzzing: its audio must keep flowing both ways.
    const before = h.emulator.sessions.length;
    const healthy = h.call();
    expect((await healthy.placeCall()).stream).toBe(true);
    const healthySession = await h.emulator.waitForSession(
      3000,
      (s) => h.emulator.sessions.indexOf(s) >= before,
    );
    const healthyTalk = (async () => {
      for (let i = 0; i < 4; i++) {
        await healthy.sendTone(1000, 300, 8000);
        await healthy.sendSilence(500);
      }
    })();

    const valid = (
      callSid: string,
      token: string,
      streamSid: string,
    ): object[] => [
      { event: 'connected', protocol: 'Call', version: '1.0.0' },
      {
        event: 'start',
        sequenceNumber: '1',
        streamSid,
        start: {
          accountSid: 'AC' + '0'.repeat(32),
          streamSid,
          callSid,
          tracks: ['inbound'],
          mediaFormat: {
            encoding: 'audio/x-mulaw',
            sampleRate: 8000,
            channels: 1,
          },
          customParameters: { token },
        },
      },
      {
        event: 'media',
        sequenceNumber: '2',
        streamSid,
        media: {
          track: 'inbound',
          chunk: '1',
          timestamp: '20',
          payload: Buffer.alloc(160, 0xff).toString('base64'),
        },
      },
      {
        event: 'dtmf',
        sequenceNumber: '3',
        streamSid,
        dtmf: { track: 'inbound_track', digit: '5' },
      },
      {
        event: 'mark',
        sequenceNumber: '4',
        streamSid,
        mark: { name: 'agent-1' },
      },
      {
        event: 'stop',
        sequenceNumber: '5',
        streamSid,
        stop: { accountSid: 'AC1', callSid },
      },
    ];

    /** A valid message with one random thing wrong with it. */
    const mutate = (message: object): string | Buffer => {
      const text = JSON.stringify(message);
      switch (Math.floor(random() * 9)) {
        case 0:
          return text.slice(0, Math.floor(random() * text.length)); // truncated
        case 1: {
          const bytes = Buffer.from(text); // bit flips
          for (let i = 0; i < 3; i++)
            bytes[Math.floor(random() * bytes.length)] ^=
              1 << Math.floor(random() * 8);
          return bytes.toString('latin1');
        }
        case 2:
          return Buffer.from(text); // binary frame
        case 3: {
          const copy = JSON.parse(text) as Record<string, unknown>; // a field removed
          delete copy[pick(Object.keys(copy))];
          return JSON.stringify(copy);
        }
        case 4: {
          const copy = JSON.parse(text) as Record<string, unknown>; // a field of the wrong type
          copy[pick(Object.keys(copy))] = pick([
            null,
            42,
            [],
            {},
            true,
            junk(5),
          ]);
          return JSON.stringify(copy);
        }
        case 5:
          return text.replace(
            /"payload":"[^"]*"/,
            `"payload":"${junk(Math.floor(random() * 400))}"`,
          ); // bad base64
        case 6:
          return JSON.stringify({ event: junk(6), data: junk(20) }); // unknown event
        case 7:
          return junk(Math.floor(random() * 200)); // noise
        default:
          return text; // as is (including stop, media before start, a second start)
      }
    };

    let sent = 0;
    let refusedCodes = 0;
    const signature = twilio.getExpectedTwilioSignature(
      AUTH_TOKEN,
      STREAM_URL,
      {},
    );
    while (sent < MESSAGES) {
      // Half the sockets start with a real token (fuzzing the streaming state), half without.
      const call = h.call();
      const params = call.callParams('ringing');
      const res = await call.postForm('/incoming-call', params);
      const token =
        /name="token" value="([^"]+)"/.exec(res.body)?.[1] ?? 'none';
      const streamSid =
        'MZ' +
        Math.floor(random() * 1e16)
          .toString(16)
          .padStart(32, '0');
      const messages = valid(
        call.callSid,
        random() < 0.5 ? token : junk(10),
        streamSid,
      );
      const ws = new WebSocket(
        `${h.baseUrl.replace('http', 'ws')}/media-stream`,
        {
          headers: { 'x-twilio-signature': signature },
        },
      );
      const closed = new Promise<number>((resolve) =>
        ws.on('close', (code) => resolve(code)),
      );
      ws.on('error', () => undefined);
      await new Promise<void>((resolve) => ws.on('open', () => resolve()));
      const burst = 20 + Math.floor(random() * 80);
      for (
        let i = 0;
        i < burst && ws.readyState === WebSocket.OPEN;
        i++, sent++
      ) {
        const base = i < 2 ? messages[i] : pick(messages);
        const frame = random() < 0.7 ? mutate(base) : JSON.stringify(base);
        ws.send(frame, { binary: Buffer.isBuffer(frame) });
      }
      ws.close();
      const code = await closed;
      if (code !== 1000 && code !== 1005) refusedCodes++;
    }
    await healthyTalk;

    // The service is alive and well, and the real call was never disturbed.
    expect((await fetch(`${h.baseUrl}/health`)).status).toBe(200);
    expect(healthy.protocolErrors).toEqual([]);
    // 20 ms caller frames that reached Gemini (640 bytes of 16 kHz PCM each, whatever UPSTREAM_FRAME_MS).
    const callerBytes = healthySession.received.reduce(
      (sum, m) =>
        sum + Buffer.from(m.realtimeInput?.audio?.data ?? '', 'base64').length,
      0,
    );
    expect(callerBytes / 640).toBeGreaterThanOrEqual(150);
    expect(
      healthy.received.filter((m) => m.event === 'media').length,
    ).toBeGreaterThan(0);
    const live = (await (await h.admin('/calls')).json()) as {
      calls: Array<{ callSid: string }>;
    };
    expect(live.calls.map((c) => c.callSid)).toContain(healthy.callSid);
    console.log(
      `fuzz: ${sent} messages on fuzzed streams (seed ${SEED}); ${refusedCodes} streams closed with an error code`,
    );
    await healthy.hangUp();
  }, 60000);
});
