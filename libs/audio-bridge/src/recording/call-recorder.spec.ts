import { MULAW_DECODE_TABLE, MULAW_ENCODE_TABLE } from '../codec/mulaw.codec';
import { base64Bytes, CallRecorder } from './call-recorder';
import {
  channels,
  FailingSink,
  GatedSink,
  MemorySink,
  mulawPayload,
  settle,
  StuckSink,
} from './recording-sinks.test-helper';
import { WAV_HEADER_BYTES } from './wav-header';

const SID = 'CA' + 'a'.repeat(32);
/** The PCM value a constant `value` comes back as through μ-law. */
const through = (value: number): number =>
  MULAW_DECODE_TABLE[MULAW_ENCODE_TABLE[value & 0xffff]];
/** 20 ms caller frame of constant `value`. */
const frame = (value: number) => mulawPayload(160, value);

function recorder(sink = new MemorySink(), extra = {}) {
  let clockMs = 0;
  const rec = new CallRecorder({
    callSid: SID,
    sink,
    now: () => clockMs,
    startedAt: new Date('2025-01-01T00:00:00Z'),
    ...extra,
  });
  return {
    rec,
    sink,
    at: (ms: number) => {
      clockMs = ms;
    },
  };
}

/** Index ranges (in ms) where `x` is non-zero. */
function spans(x: Int16Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i <= x.length; i++) {
    const on = i < x.length && x[i] !== 0;
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      out.push([start / 8, i / 8]);
      start = -1;
    }
  }
  return out;
}

describe('CallRecorder', () => {
  it('base64Bytes: decoded length from the string alone', () => {
    for (const n of [0, 1, 2, 3, 160, 161, 320])
      expect(base64Bytes(Buffer.alloc(n).toString('base64'))).toBe(n);
  });

  it('places caller frames at their Twilio timestamps and agent audio where it plays; silence elsewhere', async () => {
    const { rec, sink, at } = recorder();
    // Caller: frames stamped 0–100 ms silent, 100–200 ms loud (1000), then silent to 600 ms.
    for (let t = 0; t < 600; t += 20) {
      at(t + 3); // frames arrive a little after their timestamp
      rec.caller(frame(t >= 100 && t < 200 ? 1000 : 0), t);
      if (t === 300) {
        // Agent: 200 ms of audio sent at once at 303 ms plays 303–503 ms.
        for (let i = 0; i < 5; i++) rec.agent(mulawPayload(320, -2000));
        rec.markSent('agent-1');
      }
      if (t % 100 === 0) rec.flush();
    }
    at(620);
    rec.finish();
    const result = await rec.done;
    expect(result).toMatchObject({
      callSid: SID,
      status: 'complete',
      startedAt: '2025-01-01T00:00:00.000Z',
      droppedMs: 0,
      lateCallerMs: 0,
    });
    const wav = sink.file();
    const { left, right } = channels(wav);
    expect(spans(left)).toEqual([[100, 200]]);
    expect(left[100 * 8]).toBe(through(1000));
    expect(spans(right)).toEqual([[303, 503]]);
    expect(right[400 * 8]).toBe(through(-2000));
    // The recording runs to the last caller frame's end (600 ms).
    expect(left.length).toBe(600 * 8);
    expect(result.durationMs).toBe(600);
    // Finalized header: sizes of what was written.
    expect(wav.readUInt32LE(40)).toBe(600 * 8 * 4);
    expect(wav.readUInt32LE(4)).toBe(36 + 600 * 8 * 4);
    expect(result.dataBytes).toBe(wav.length - WAV_HEADER_BYTES);
  });

  /** Caller frames (silent unless `loud`) every 20 ms up to `untilMs`, arriving on time, with `events` at their times. */
  function drive(
    r: ReturnType<typeof recorder>,
    untilMs: number,
    events: Record<number, () => void> = {},
    loud: (t: number) => boolean = () => false,
  ): void {
    for (let t = 0; t < untilMs; t += 20) {
      r.at(t);
      r.rec.caller(frame(loud(t) ? 1000 : 0), t);
      events[t]?.();
      if (t % 200 === 0) r.rec.flush();
    }
    r.at(untilMs);
  }

  it('a clear cuts the agent channel where Twilio dropped its buffer', async () => {
    const r = recorder();
    drive(r, 500, {
      0: () => r.rec.agent(mulawPayload(8000, 3000)), // one second queued at Twilio
      240: () => r.rec.clear(), // barge-in at 240 ms
      300: () => r.rec.agent(mulawPayload(400, 3000)), // a new 50 ms reply
    });
    r.rec.finish();
    await r.rec.done;
    expect(spans(channels(r.sink.file()).right)).toEqual([
      [0, 240],
      [300, 350],
    ]);
  });

  it('marks move later replies by the measured playback delay', async () => {
    const r = recorder();
    drive(r, 1200, {
      0: () => {
        r.rec.agent(mulawPayload(800, 3000)); // 0–100 ms by this side's clock
        r.rec.markSent('agent-1');
      },
      // Twilio finished it at 140 ms: 40 ms later than the send time says.
      140: () => r.rec.markPlayed('agent-1'),
      1000: () => r.rec.agent(mulawPayload(800, 3000)),
    });
    r.rec.finish();
    await r.rec.done;
    expect(spans(channels(r.sink.file()).right)).toEqual([
      [0, 100],
      [1040, 1140],
    ]);
  });

  it("runs on Twilio's media clock: a `start` handled late does not shift the agent against the caller", async () => {
    let clockMs = 1000;
    const sink = new MemorySink();
    // The recorder starts 60 ms after Twilio's timestamp 0 (the event loop was busy with `start`).
    const rec = new CallRecorder({ callSid: SID, sink, now: () => clockMs });
    for (let t = 0; t < 600; t += 20) {
      // Frames arrive 2–9 ms after their time on Twilio's clock (which started at 940).
      clockMs = 940 + t + 2 + ((t / 20) % 8);
      rec.caller(frame(t >= 200 && t < 300 ? 1000 : 0), t);
      if (t === 300) {
        clockMs = 940 + 310; // the agent answers 10 ms after the caller's tone ended (Twilio's clock)
        rec.agent(mulawPayload(800, -2000));
      }
    }
    clockMs = 940 + 600;
    rec.finish();
    await rec.done;
    const { left, right } = channels(sink.file());
    expect(spans(left)).toEqual([[200, 300]]);
    // Placed by the least arrival delay (2 ms): 308 ms, not 250 ms (by the late `start`).
    expect(spans(right)).toEqual([[308, 408]]);
  });

  it('asks for a sync mark only while nothing is queued: every 0.5 s until 8 echoes measured the delay, then every 5 s', () => {
    const r = recorder();
    const asked: number[] = [];
    for (let t = 0; t <= 12_000; t += 250) {
      r.at(t);
      if (t === 1000) r.rec.agent(mulawPayload(8 * 1500, 0)); // 1.5 s of agent audio queued
      if (r.rec.wantsSyncMark()) {
        asked.push(t);
        r.rec.markSent(`s${t}`);
        r.rec.markPlayed(`s${t}`); // echoed at once
      }
    }
    // 0, 0.5 s, then nothing while the agent's audio plays (1–2.5 s), then 0.5 s apart until 8
    // echoes, then 5 s apart.
    expect(asked).toEqual([0, 500, 2500, 3000, 3500, 4000, 4500, 5000, 10_000]);
    r.rec.finish();
  });

  it('the call ending cuts agent audio still queued at Twilio (it was never heard)', async () => {
    const r = recorder();
    drive(r, 500, { 0: () => r.rec.agent(mulawPayload(8 * 2000, 3000)) }); // 2 s queued
    r.rec.finish();
    await r.rec.done;
    const { right } = channels(r.sink.file());
    expect(right.length).toBe(500 * 8);
    expect(spans(right)).toEqual([[0, 500]]);
  });

  it('renders only what both channels are final for: queued agent audio waits until it has played', async () => {
    const sink = new MemorySink();
    const { rec, at } = recorder(sink);
    at(0);
    rec.agent(mulawPayload(8000, 3000));
    at(200);
    for (let t = 0; t <= 180; t += 20) rec.caller(frame(0), t);
    rec.flush();
    await settle();
    // Caller frames reach 200 ms; agent audio is final up to now (200 ms): 200 ms rendered.
    const rendered = sink.chunks.reduce((n, c) => n + c.length, 0);
    expect(rendered).toBe(200 * 8 * 4);
    expect(rec.timeline.segments).toBe(1); // still playing: held until it has played out
    rec.finish();
  });

  it('a caller frame that comes after its time was rendered is counted late, not misplaced', async () => {
    const { rec, sink, at } = recorder();
    for (let t = 0; t < 2000; t += 20) rec.caller(frame(0), t);
    at(2000);
    rec.flush();
    rec.caller(frame(1000), 100); // stamped 100 ms, arriving at 2 s
    at(2100);
    rec.finish();
    const result = await rec.done;
    expect(result.lateCallerMs).toBe(20);
    expect(spans(channels(sink.file()).left)).toEqual([]);
  });

  it('a disk that never completes a write: memory stays bounded, audio becomes silence, the recording fails at the end', async () => {
    const sink = new StuckSink();
    const { rec, at } = recorder(sink, {
      maxBufferedBytes: 64 * 1024,
      finishTimeoutMs: 30,
    });
    // Ten minutes of call audio, flushed every 250 ms.
    const callerFrame = frame(500);
    const agentChunk = mulawPayload(320, 500);
    let mostBuffered = 0;
    for (let t = 0; t < 600_000; t += 20) {
      at(t);
      rec.caller(callerFrame, t);
      if (t % 1000 === 0) rec.agent(agentChunk);
      if (t % 250 === 0) {
        rec.flush();
        mostBuffered = Math.max(mostBuffered, rec.bufferedBytes);
      }
      if (t === 1000) await settle(); // the file opens; its first write never completes
    }
    expect(mostBuffered).toBeLessThanOrEqual(64 * 1024);
    expect(rec.droppedMs).toBeGreaterThan(590_000);
    expect(rec.timeline.storedSamples).toBeLessThan(8000);
    expect(sink.appends).toBe(1); // the first write, forever in flight
    at(600_000);
    rec.finish();
    const result = await rec.done;
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/did not take the recording/);
    expect(sink.finished).toBeUndefined();
  });

  it('a disk that fails: the recording is failed at once, later audio is ignored, the sink is aborted', async () => {
    const errors: unknown[] = [];
    const sink = new FailingSink();
    const { rec, at } = recorder(sink, {
      onError: (e: unknown) => errors.push(e),
    });
    for (let t = 0; t < 1000; t += 20) {
      at(t);
      rec.caller(frame(500), t);
      if (t % 200 === 0) rec.flush();
      await settle(1);
    }
    expect(rec.failed).toBe(true);
    expect(errors).toHaveLength(1);
    expect(sink.appends).toBe(1);
    expect(rec.bufferedBytes).toBe(0);
    rec.finish();
    const result = await rec.done;
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/EIO/);
    expect(sink.aborted).toMatchObject({ callSid: SID, status: 'failed' });
  });

  it('a disk that is slow for a while: audio it could not hold becomes silence in place (partial), timing kept', async () => {
    const sink = new GatedSink();
    const { rec, at } = recorder(sink, { maxBufferedBytes: 8 * 4 * 300 });
    for (let t = 0; t < 2000; t += 20) {
      at(t + 20);
      rec.caller(frame(t >= 1500 && t < 1600 ? 1000 : 300), t);
      if (t % 100 === 80) rec.flush();
    }
    await settle();
    sink.release();
    await settle();
    for (let i = 0; i < 40 && sink.pending > 0; i++) {
      sink.release();
      await settle();
    }
    at(2000);
    rec.finish();
    for (let i = 0; i < 40; i++) {
      sink.release();
      await settle();
    }
    const result = await rec.done;
    expect(result.status).toBe('partial');
    expect(result.droppedMs).toBeGreaterThan(0);
    const { left } = channels(sink.file());
    expect(left.length).toBe(2000 * 8);
    // The loud burst (1500–1600 ms) is either in place or replaced by silence, never shifted.
    const loud = spans(left.map((v) => (v > through(300) ? v : 0)));
    for (const [from, to] of loud) {
      expect(from).toBeGreaterThanOrEqual(1500);
      expect(to).toBeLessThanOrEqual(1600);
    }
  });

  it('finish is idempotent and frames after it are ignored', async () => {
    const { rec, sink, at } = recorder();
    rec.caller(frame(0), 0);
    at(20);
    rec.finish();
    rec.finish();
    rec.caller(frame(1000), 20);
    rec.agent(frame(1000));
    const result = await rec.done;
    expect(result.durationMs).toBe(20);
    expect(sink.file().length).toBe(WAV_HEADER_BYTES + 20 * 8 * 4);
  });
});
