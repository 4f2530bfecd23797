import { mulawToPcm, pcmToMulaw, toneInt16 } from '../audio/pcm.util';
import { sleep } from '../shared/waiters.util';
import { CallHarness } from './fake-voice-service.test-helper';

describe('StreamPlaybackPlayer (through the simulator)', () => {
  const h = new CallHarness();
  beforeEach(() => h.start());
  afterEach(() => h.stop());

  it('echoes a mark only after the audio before it has played', async () => {
    await h.sim.placeCall();
    h.service.sendAudio(h.sim.streamSid, toneInt16(8000, 500, 500, 6000));
    h.service.send({
      event: 'mark',
      streamSid: h.sim.streamSid,
      mark: { name: 'reply-1' },
    });
    const sent = performance.now();
    const echo = await h.service.next((m) => m.event === 'mark');
    const { sequenceNumber, ...rest } = echo.message;
    expect(sequenceNumber).toMatch(/^\d+$/);
    expect(rest).toEqual({
      event: 'mark',
      streamSid: h.sim.streamSid,
      mark: { name: 'reply-1' },
    });
    expect(echo.at - sent).toBeGreaterThanOrEqual(500 - 60);
    // Late echoes only mean a loaded machine; early ones would be a bug.
    expect(echo.at - sent).toBeLessThan(500 + 300);
    expect(h.sim.marksEchoed.map((m) => m.name)).toEqual(['reply-1']);
    expect(h.sim.protocolErrors).toEqual([]);
  });

  it('clear drops buffered audio and echoes pending marks at once', async () => {
    await h.sim.placeCall();
    h.service.sendAudio(h.sim.streamSid, toneInt16(8000, 500, 1000, 6000));
    h.service.send({
      event: 'mark',
      streamSid: h.sim.streamSid,
      mark: { name: 'a' },
    });
    h.service.sendAudio(h.sim.streamSid, toneInt16(8000, 500, 1000, 6000));
    h.service.send({
      event: 'mark',
      streamSid: h.sim.streamSid,
      mark: { name: 'b' },
    });
    await sleep(100);
    h.service.send({ event: 'clear', streamSid: h.sim.streamSid });
    const cleared = performance.now();
    const b = await h.service.next(
      (m) => m.event === 'mark' && m.mark?.name === 'b',
    );
    expect(b.at - cleared).toBeLessThan(60);
    expect(h.sim.marksEchoed.map((m) => m.name)).toEqual(['a', 'b']);
    expect(h.sim.clearsAtMs).toHaveLength(1);
    expect(h.sim.playing).toBe(false);
    await sleep(100);
    const heard = h.sim.heardAudio();
    const clearAt = Math.ceil(h.sim.clearsAtMs[0] * 8);
    expect(heard.length).toBeGreaterThan(clearAt + 400);
    expect(heard.subarray(clearAt).every((s) => s === 0)).toBe(true);
  });

  it('records what the caller heard at the right position, and hangs up with stop', async () => {
    await h.sim.placeCall();
    await sleep(200);
    const tone = toneInt16(8000, 1000, 200, 8000);
    h.service.sendAudio(h.sim.streamSid, tone);
    await sleep(300);
    const closed = await h.sim.hangUp();
    expect(closed.code).toBe(1000);
    const heard = h.sim.heardAudio();
    const startAt = Math.floor((h.sim.firstAudioAtMs ?? 0) * 8);
    expect(h.sim.firstAudioAtMs).toBeGreaterThan(200 - 60);
    expect(h.sim.firstAudioAtMs).toBeLessThan(200 + 60);
    const firstNonZero = heard.findIndex((s) => s !== 0);
    expect(Math.abs(firstNonZero - startAt)).toBeLessThanOrEqual(16);
    const expected = mulawToPcm(pcmToMulaw(tone));
    expect(
      Array.from(heard.subarray(firstNonZero - 1, firstNonZero - 1 + 1600)),
    ).toEqual(Array.from(expected));
    expect(heard.length / 8).toBeGreaterThan(500 - 60);
    const stop = await h.service.next((m) => m.event === 'stop');
    expect(stop.message.stop).toEqual({
      accountSid: h.sim.accountSid,
      callSid: h.sim.callSid,
    });
  });
});
