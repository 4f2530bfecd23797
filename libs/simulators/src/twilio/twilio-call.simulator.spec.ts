import { sleep } from '../shared/waiters.util';
import { CallHarness, PUBLIC } from './fake-voice-service.test-helper';
import { TwilioCallSimulator } from './twilio-call.simulator';

describe('TwilioCallSimulator', () => {
  const h = new CallHarness();
  beforeEach(() => h.start());
  afterEach(() => h.stop());

  it('signs the webhook and the handshake, then sends connected and start', async () => {
    const result = await h.sim.placeCall();
    expect(result).toMatchObject({
      status: 200,
      stream: true,
      parameters: { token: 't-1' },
    });
    expect(h.service.forms[0]).toMatchObject({
      path: '/incoming-call',
      signed: true,
    });
    expect(h.service.forms[0].params).toMatchObject({
      CallSid: h.sim.callSid,
      CallStatus: 'ringing',
      Direction: 'inbound',
    });
    expect(h.service.handshakeSigned).toBe(true);
    const start = await h.service.next((m) => m.event === 'start');
    expect(h.service.messages[0].message).toEqual({
      event: 'connected',
      protocol: 'Call',
      version: '1.0.0',
    });
    expect(start.message).toEqual({
      event: 'start',
      sequenceNumber: '1',
      streamSid: h.sim.streamSid,
      start: {
        accountSid: h.sim.accountSid,
        streamSid: h.sim.streamSid,
        callSid: h.sim.callSid,
        tracks: ['inbound'],
        mediaFormat: {
          encoding: 'audio/x-mulaw',
          sampleRate: 8000,
          channels: 1,
        },
        customParameters: { token: 't-1' },
      },
    });
    expect(h.sim.streamSid).toMatch(/^MZ[0-9a-f]{32}$/);
  });

  it('returns non-stream TwiML as is, and reports a refused signature', async () => {
    h.service.twiml = '<Response><Say>Sorry</Say><Hangup/></Response>';
    const result = await h.sim.placeCall();
    expect(result).toMatchObject({
      status: 200,
      stream: false,
      twiml: h.service.twiml,
    });
    expect(await h.sim.closed).toEqual({ code: 0, reason: 'no stream' });
    const forged = new TwilioCallSimulator({
      serviceUrl: h.service.url,
      publicUrl: PUBLIC,
      authToken: 'wrong',
    });
    expect((await forged.placeCall()).status).toBe(403);
  });

  it('sends 160-byte frames every 20 ms with string sequence numbers', async () => {
    await h.sim.placeCall();
    await h.sim.sendTone(1000, 200, 6000);
    await h.service.next(() => h.media().length === 10);
    const frames = h.service.messages.filter(
      (e) => e.message.event === 'media',
    );
    frames.forEach(({ message }, i) => {
      expect(Buffer.from(message.media?.payload ?? '', 'base64')).toHaveLength(
        160,
      );
      expect(message.sequenceNumber).toBe(String(i + 2));
      expect(message.media?.chunk).toBe(String(i + 1));
      expect(typeof message.media?.timestamp).toBe('string');
    });
    const stamps = frames.map((f) => Number(f.message.media?.timestamp));
    expect(stamps.slice(1).map((t, i) => t - stamps[i])).toEqual(
      Array(9).fill(20),
    );
    const span = frames[9].at - frames[0].at;
    expect(span).toBeGreaterThan(180 - 60);
    expect(span).toBeLessThan(180 + 60);
  });

  it('signs status callbacks and flags service messages Twilio would ignore', async () => {
    await h.sim.placeCall();
    const response = await h.sim.postStatus('completed');
    expect(response.status).toBe(200);
    const form = h.service.forms[1];
    expect(form).toMatchObject({ path: '/call-status', signed: true });
    expect(form.params).toMatchObject({
      CallStatus: 'completed',
      CallDuration: '0',
      SequenceNumber: '0',
    });
    h.service.send({
      event: 'media',
      streamSid: 'MZwrong',
      media: { payload: 'AAAA' },
    });
    h.service.socket?.send(Buffer.from('{"event":"clear"}'), { binary: true });
    await sleep(100);
    expect(h.sim.protocolErrors).toEqual([
      'media with streamSid MZwrong',
      'binary frame (Twilio expects JSON text frames)',
      'clear with streamSid undefined',
    ]);
    expect(h.sim.firstAudioAtMs).toBeUndefined();
  });

  it('sends idle silence by default, DTMF, and bursts when not real time', async () => {
    const sim = new TwilioCallSimulator({
      serviceUrl: h.service.url,
      publicUrl: PUBLIC,
      authToken: 'auth-token',
    });
    await sim.placeCall();
    await h.service.next(() => h.media().length >= 5);
    const idle = h.media().slice(0, 5);
    for (const frame of idle) {
      const codes = Buffer.from(frame.media?.payload ?? '', 'base64');
      expect(codes.every((c) => c === 0xff)).toBe(true);
    }
    sim.sendDtmf('7');
    expect(() => sim.sendDtmf('x')).toThrow(/DTMF/);
    await h.service.next((m) => m.event === 'dtmf');
    const before = h.media().length;
    await sim.sendTone(1000, 400, 6000, { realtime: false });
    await h.service.next(() => h.media().length >= before + 20, 100);
    await sim.hangUp();
    const stop = h.service.messages.find((e) => e.message.event === 'stop');
    const numbers = h.service.messages
      .slice(1)
      .map((e) => Number(e.message.sequenceNumber));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(stop).toBeDefined();
  });
});
