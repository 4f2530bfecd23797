import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  CallHarness,
  eventually,
  startCallHarness,
} from './support/call-harness';
import {
  loudMs,
  offsetMs,
  onsetMs,
  parseStereoWav,
  peakOutside,
  stretches,
  toneBetween,
} from './support/recording-audio';
import {
  OPTED_OUT,
  placeRecordedCall as placeCall,
  RECORDED,
  recordingWorkspace as workspace,
  untilEnded,
} from './support/recording-calls';

const db = (ratio: number): number => 20 * Math.log10(ratio);

describe('Call recordings (real app, emulator, simulated Twilio)', () => {
  describe('RECORDING unset: off by default, on per profile', () => {
    let h: CallHarness;
    let ws: ReturnType<typeof workspace>;
    let recordedSid: string;

    beforeAll(async () => {
      ws = workspace();
      h = await startCallHarness(
        { RECORDINGS_DIR: ws.recordings, AGENT_PROFILES_FILE: ws.profiles },
        { reply: { kind: 'tone', hz: 440, amplitude: 8000, ms: 600 } },
      );
      // Warm-up: the first call in a process loads (and ts-jest compiles) the media path's modules,
      // holding the event loop for tens of ms mid-reply; the timing tests measure the recorder, not that.
      const { call, session } = await placeCall(h, RECORDED);
      await call.sendTone(1000, 300, 8000);
      await call.sendSilence(300);
      await eventually(() => session.replies.length > 0, 3000);
      await eventually(
        () => session.replies[0]?.outcome === 'complete' && !call.playing,
        3000,
      );
      await call.hangUp();
    });

    afterAll(async () => {
      await h.close();
      rmSync(ws.dir, { recursive: true, force: true });
    });

    /** The call's published WAV, once it exists. */
    async function recording(callSid: string): Promise<Response> {
      await eventually(
        () => existsSync(join(ws.recordings, `${callSid}.wav`)),
        5000,
        50,
      );
      return h.admin(`/calls/${callSid}/recording`);
    }

    it("on per profile: a 2-channel 8 kHz WAV, the caller's 1 kHz tone left and the agent's 440 Hz right, onsets within 20 ms, silence elsewhere", async () => {
      h.emulator.options.reply = {
        kind: 'tone',
        hz: 440,
        amplitude: 8000,
        ms: 600,
      };
      const { call, session } = await placeCall(h, RECORDED);
      recordedSid = call.callSid;
      await call.sendSilence(200);
      // The caller's queue is empty: the tone's first frame is the next one due (within 20 ms).
      const toneSentAt = call.elapsedMs;
      await call.sendTone(1000, 400, 8000);
      await call.sendSilence(300);
      await eventually(() => session.replies.length > 0, 3000);
      // The whole reply plays at the simulated phone (every mark echoed once its audio played).
      await eventually(
        () =>
          session.replies[0]?.outcome === 'complete' &&
          !call.playing &&
          call.marksReceived.length > 0 &&
          call.marksEchoed.length === call.marksReceived.length,
        5000,
      );
      await call.sendSilence(300);
      const heard = call.heardAudio();
      await call.hangUp();

      const res = await recording(call.callSid);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/wav');
      expect(res.headers.get('x-recording-status')).toBe('complete');
      const body = Buffer.from(await res.arrayBuffer());
      expect(Number(res.headers.get('content-length'))).toBe(body.length);
      const wav = parseStereoWav(body);
      expect(wav).toMatchObject({
        channels: 2,
        sampleRate: 8000,
        bitsPerSample: 16,
      });
      expect(wav.dataBytes).toBe(body.length - 44);

      // Caller, left: the tone where its frames' timestamps put it, 400 ms long, at full level.
      const callerOn = onsetMs(wav.left)!;
      expect(Math.abs(callerOn - toneSentAt)).toBeLessThanOrEqual(20);
      // Placed by its frame's `media.timestamp` (a multiple of 20 ms), to the sample.
      expect(callerOn % 20).toBeLessThanOrEqual(1);
      expect(
        Math.abs(offsetMs(wav.left)! - (callerOn + 400)),
      ).toBeLessThanOrEqual(20);
      expect(
        Math.abs(
          db(toneBetween(wav.left, 1000, callerOn + 20, callerOn + 380) / 8000),
        ),
      ).toBeLessThan(1);
      // Agent, right: the reply when the caller heard it, 600 ms long, at its level.
      const heardOn = onsetMs(heard)!;
      const agentOn = onsetMs(wav.right)!;
      expect(Math.abs(agentOn - heardOn)).toBeLessThanOrEqual(20);
      expect(
        Math.abs(offsetMs(wav.right)! - offsetMs(heard)!),
      ).toBeLessThanOrEqual(20);
      expect(
        Math.abs(
          db(toneBetween(wav.right, 440, agentOn + 20, agentOn + 580) / 8000),
        ),
      ).toBeLessThan(1);
      // Each channel carries only its own party.
      expect(
        toneBetween(wav.right, 1000, callerOn, callerOn + 400),
      ).toBeLessThan(100);
      expect(toneBetween(wav.left, 440, agentOn, agentOn + 600)).toBeLessThan(
        100,
      );
      // Silence where nobody speaks.
      expect(
        peakOutside(wav.left, [[callerOn - 1, callerOn + 401]]),
      ).toBeLessThan(100);
      expect(
        peakOutside(wav.right, [[agentOn - 5, agentOn + 625]]),
      ).toBeLessThan(300);
      // The file spans the call (to the last caller frame).
      expect(Math.abs(wav.left.length / 8 - heard.length / 8)).toBeLessThan(
        100,
      );
      expect(call.protocolErrors).toEqual([]);
    }, 20_000);

    it('barge-in: the agent channel stops where the caller stopped hearing the agent (the clear), within 20 ms', async () => {
      h.emulator.options.reply = {
        kind: 'tone',
        hz: 440,
        amplitude: 8000,
        ms: 3000,
      };
      const { call } = await placeCall(h, RECORDED);
      await call.sendSilence(100);
      await call.sendTone(1000, 300, 8000);
      await call.sendSilence(400);
      await eventually(() => call.firstAudioAtMs !== undefined, 3000);
      await call.sendSilence(300);
      await call.sendTone(1000, 300, 8000); // the caller talks over the agent
      await eventually(() => call.clearsAtMs.length > 0, 3000);
      // Hang up before the agent could answer the interruption: one stretch of agent audio, cut.
      await call.sendSilence(100);
      const heard = call.heardAudio();
      await call.hangUp();

      const res = await recording(call.callSid);
      const wav = parseStereoWav(Buffer.from(await res.arrayBuffer()));
      const heardParts = stretches(heard);
      const recordedParts = stretches(wav.right);
      expect(heardParts).toHaveLength(1);
      expect(recordedParts).toHaveLength(1);
      const [[heardOn, heardOff]] = heardParts;
      const [[recordedOn, recordedOff]] = recordedParts;
      expect(heardOff - heardOn).toBeLessThan(2000); // well under the 3 s sent: the rest was cleared
      expect(Math.abs(heardOff - call.clearsAtMs[0])).toBeLessThanOrEqual(20);
      expect(Math.abs(recordedOn - heardOn)).toBeLessThanOrEqual(20);
      expect(Math.abs(recordedOff - heardOff)).toBeLessThanOrEqual(20);
      // Nothing of the cleared audio is in the recording: silence from the cut to the end.
      expect(peakOutside(wav.right, [[0, recordedOff + 1]])).toBeLessThan(300);
    }, 20_000);

    it('off by default: a call whose profile says nothing leaves no file, and GET answers 404', async () => {
      h.emulator.options.reply = {
        kind: 'tone',
        hz: 440,
        amplitude: 8000,
        ms: 200,
      };
      const { call, session } = await placeCall(h);
      await call.sendTone(1000, 300, 8000);
      await call.sendSilence(300);
      await eventually(() => session.replies.length > 0, 3000);
      await call.hangUp();
      await untilEnded(h, call.callSid);
      const files = existsSync(ws.recordings) ? readdirSync(ws.recordings) : [];
      expect(files.filter((f) => f.startsWith(call.callSid))).toEqual([]);
      const res = await h.admin(`/calls/${call.callSid}/recording`);
      expect(res.status).toBe(404);
    }, 15_000);

    it('GET is admin-only, refuses anything but a Call SID (no path traversal), and serves byte ranges', async () => {
      expect(recordedSid).toBeDefined();
      const path = `/calls/${recordedSid}/recording`;
      expect((await fetch(h.baseUrl + path)).status).toBe(401);
      const wrong = await fetch(h.baseUrl + path, {
        headers: { authorization: 'Bearer not-the-admin-key-at-all' },
      });
      expect(wrong.status).toBe(401);
      for (const bad of [
        '..%2F..%2F..%2Fetc%2Fpasswd',
        `${recordedSid}%2F..%2F..%2Fcalls.db`,
        `..%2F${recordedSid}`,
        `${recordedSid}.wav`,
        `${recordedSid}%00`,
      ]) {
        const res = await h.admin(`/calls/${bad}/recording`);
        expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      }
      expect(
        (await h.admin(`/calls/CA${'f'.repeat(32)}/recording`)).status,
      ).toBe(404);

      const whole = await h.admin(path, { method: 'HEAD' });
      expect(whole.status).toBe(200);
      expect(whole.headers.get('accept-ranges')).toBe('bytes');
      const size = Number(whole.headers.get('content-length'));
      const head = await h.admin(path, { headers: { range: 'bytes=0-43' } });
      expect(head.status).toBe(206);
      expect(head.headers.get('content-range')).toBe(`bytes 0-43/${size}`);
      const header = Buffer.from(await head.arrayBuffer());
      expect(header.toString('ascii', 0, 4)).toBe('RIFF');
      expect(header.readUInt32LE(40)).toBe(size - 44);
      const tail = await h.admin(path, { headers: { range: 'bytes=-100' } });
      expect(tail.status).toBe(206);
      expect((await tail.arrayBuffer()).byteLength).toBe(100);
      const past = await h.admin(path, {
        headers: { range: `bytes=${size}-` },
      });
      expect(past.status).toBe(416);
      expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
      // The info route: what there is, without downloading it (and no 404 for "none").
      const info = await h.admin(`${path}/info`);
      expect(info.status).toBe(200);
      expect(await info.json()).toMatchObject({
        callSid: recordedSid,
        status: 'complete',
        bytes: size,
      });
      const none = await h.admin(`/calls/CA${'f'.repeat(32)}/recording/info`);
      expect(await none.json()).toEqual({
        callSid: `CA${'f'.repeat(32)}`,
        status: 'none',
      });
      expect((await fetch(`${h.baseUrl}${path}/info`)).status).toBe(401);
      expect((await h.admin('/calls/..%2Fx/recording/info')).status).toBe(400);
    });
  });

  describe('RECORDING=on: every call, unless its profile opts out', () => {
    let h: CallHarness;
    let ws: ReturnType<typeof workspace>;

    beforeAll(async () => {
      ws = workspace();
      h = await startCallHarness(
        {
          RECORDING: 'on',
          RECORDINGS_DIR: ws.recordings,
          AGENT_PROFILES_FILE: ws.profiles,
          RECORDING_RETENTION_DAYS: '7',
        },
        { reply: { kind: 'tone', hz: 440, amplitude: 8000, ms: 200 } },
      );
    });

    afterAll(async () => {
      await h.close();
      rmSync(ws.dir, { recursive: true, force: true });
    });

    it('records a call to any number, but not one whose profile says recording: false', async () => {
      const recorded = await placeCall(h);
      const optedOut = await placeCall(h, OPTED_OUT);
      await Promise.all([
        recorded.call.sendTone(1000, 300, 8000),
        optedOut.call.sendTone(1000, 300, 8000),
      ]);
      await Promise.all([recorded.call.hangUp(), optedOut.call.hangUp()]);
      await untilEnded(h, optedOut.call.callSid);
      await eventually(
        () => existsSync(join(ws.recordings, `${recorded.call.callSid}.wav`)),
        5000,
        50,
      );
      const wav = parseStereoWav(
        Buffer.from(
          await (
            await h.admin(`/calls/${recorded.call.callSid}/recording`)
          ).arrayBuffer(),
        ),
      );
      expect(loudMs(wav.left)).toBeGreaterThan(200); // 300 ms of tone (|x| > 1500 for 3/4 of it)
      expect(
        readdirSync(ws.recordings).filter((f) =>
          f.startsWith(optedOut.call.callSid),
        ),
      ).toEqual([]);
      expect(
        (await h.admin(`/calls/${optedOut.call.callSid}/recording`)).status,
      ).toBe(404);
    }, 15_000);
  });
});
