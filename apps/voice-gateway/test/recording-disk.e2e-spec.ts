import { FileRecordingSink } from '@app/audio-bridge';
import { StuckSink } from '@app/audio-bridge/recording/recording-sinks.test-helper';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CallHarness,
  eventually,
  loudestWindow,
  startCallHarness,
  toneAmplitude,
} from './support/call-harness';

/** Rendered audio one call's recorder may hold while the disk is stuck (bytes: 1 s of stereo audio). */
const MAX_BUFFERED = 32 * 1024;
/** How long the recorder waits for the disk at the end before giving the recording up (ms). */
const FINISH_TIMEOUT_MS = 1500;
const db = (ratio: number): number => 20 * Math.log10(ratio);

/** A real file whose writes fail after the header (EIO), so its failed sidecar lands on disk. */
class FailingFileSink extends FileRecordingSink {
  writes = 0;
  override append(): Promise<void> {
    this.writes++;
    return Promise.reject(new Error('EIO: i/o error, write'));
  }
}

async function metric(
  h: CallHarness,
  line: RegExp,
): Promise<number | undefined> {
  const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
  const match = new RegExp(`^${line.source} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * One recorded call with a reply, the way a caller has it: tone, the agent's 440 Hz answer played in
 * full, `extraMs` more of talk, then hang-up. Checks the audio went both ways at full level and
 * returns how long the call took to end after the hang-up (ms).
 */
async function callThrough(
  h: CallHarness,
  duringCall: () => Promise<void> = () => Promise.resolve(),
): Promise<{ callSid: string; endedInMs: number }> {
  const before = h.emulator.sessions.length;
  const call = h.call();
  expect((await call.placeCall()).stream).toBe(true);
  const session = await h.emulator.waitForSession(
    3000,
    (s) => h.emulator.sessions.indexOf(s) >= before,
  );
  await call.sendSilence(200);
  await call.sendTone(1000, 400, 8000);
  await call.sendSilence(300);
  await eventually(() => session.replies.length > 0, 3000);
  await eventually(
    () =>
      session.replies[0]?.outcome === 'complete' &&
      !call.playing &&
      call.marksReceived.length > 0 &&
      call.marksEchoed.length === call.marksReceived.length,
    5000,
  );
  await call.sendSilence(1500); // the disk falls further behind meanwhile
  await duringCall();

  // Both ways at full level, whatever the disk does.
  const toGemini = session.callerAudio();
  const [from, to] = loudestWindow(toGemini, 16000, 300);
  expect(
    db(toneAmplitude(toGemini, 1000, 16000, from, to) / 8000),
  ).toBeGreaterThan(-0.5);
  const heard = call.heardAudio();
  const [hFrom, hTo] = loudestWindow(heard, 8000, 400);
  expect(
    Math.abs(db(toneAmplitude(heard, 440, 8000, hFrom, hTo) / 8000)),
  ).toBeLessThan(0.5);
  expect(call.protocolErrors).toEqual([]);

  const hungUpAt = performance.now();
  await call.hangUp();
  await session.closed;
  const record = await eventually(
    async () => {
      const body = (await (await h.admin(`/calls/${call.callSid}`)).json()) as {
        endedAt?: string;
        endReason?: string;
      };
      return body.endedAt ? body : undefined;
    },
    5000,
    25,
  );
  expect(record.endReason).toBe('caller-hangup');
  return { callSid: call.callSid, endedInMs: performance.now() - hungUpAt };
}

describe('Recording on a slow or failing disk: the call never notices', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vg-recording-disk-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The app with recording on and each call's recording going to `sinks()`. */
  function start(
    sinks: (dir: string, callSid: string) => unknown,
  ): Promise<CallHarness> {
    return startCallHarness(
      {},
      { reply: { kind: 'tone', hz: 440, amplitude: 8000, ms: 600 } },
      undefined,
      [
        { token: 'RECORDING_SINK_FACTORY', value: sinks },
        {
          token: 'RECORDING_OPTIONS',
          value: {
            enabled: true,
            dir,
            retentionDays: 0,
            maxBufferedBytes: MAX_BUFFERED,
            finishTimeoutMs: FINISH_TIMEOUT_MS,
          },
        },
      ],
    );
  }

  it('a disk that never completes a write: audio flows both ways, memory stays bounded, the call ends at once, the recording is failed', async () => {
    const sinks: StuckSink[] = [];
    const h = await start(() => {
      const sink = new StuckSink();
      sinks.push(sink);
      return sink;
    });
    try {
      const { callSid, endedInMs } = await callThrough(h, async () => {
        // About 3.5 s of call audio (112 KB rendered) against 32 KB allowed: held at the bound.
        const held = await metric(h, /recording_buffered_bytes/);
        expect(held).toBeLessThanOrEqual(MAX_BUFFERED);
        expect(held).toBeGreaterThan(MAX_BUFFERED / 2);
        expect(await metric(h, /recordings_active/)).toBe(1);
        expect(sinks[0].appends).toBe(1); // the first write, forever in flight
      });
      // The call's end did not wait for the recorder's disk wait (FINISH_TIMEOUT_MS).
      expect(endedInMs).toBeLessThan(FINISH_TIMEOUT_MS);
      await eventually(
        async () =>
          (await metric(h, /recordings_finished_total\{status="failed"\}/)) ===
          1,
        4 * FINISH_TIMEOUT_MS,
        100,
      );
      expect(await metric(h, /recording_write_errors_total/)).toBe(1);
      expect(await metric(h, /recordings_active/)).toBe(0);
      expect(await metric(h, /recording_buffered_bytes/)).toBe(0);
      expect((await h.admin(`/calls/${callSid}/recording`)).status).toBe(404);
    } finally {
      await h.close();
    }
  }, 30_000);

  it('a disk whose writes fail: the call goes on and ends normally; the recording is marked failed', async () => {
    const sinks: FailingFileSink[] = [];
    const h = await start((recordingsDir, callSid) => {
      const sink = new FailingFileSink(recordingsDir, callSid);
      sinks.push(sink);
      return sink;
    });
    try {
      const { callSid, endedInMs } = await callThrough(h, async () => {
        // Failed on the first write: nothing more is rendered or held.
        expect(await metric(h, /recording_write_errors_total/)).toBe(1);
        expect(await metric(h, /recording_buffered_bytes/)).toBe(0);
      });
      expect(sinks[0].writes).toBe(1);
      expect(endedInMs).toBeLessThan(FINISH_TIMEOUT_MS);
      await eventually(
        async () =>
          (await metric(h, /recordings_finished_total\{status="failed"\}/)) ===
          1,
        4000,
        100,
      );
      const sidecar = JSON.parse(
        readFileSync(join(dir, `${callSid}.json`), 'utf8'),
      ) as Record<string, unknown>;
      expect(sidecar).toMatchObject({
        callSid,
        status: 'failed',
        error: 'EIO: i/o error, write',
      });
      const res = await h.admin(`/calls/${callSid}/recording`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { message: string }).message).toMatch(
        /recording of call .* failed/,
      );
      const info = await h.admin(`/calls/${callSid}/recording/info`);
      expect(await info.json()).toMatchObject({ callSid, status: 'failed' });
    } finally {
      await h.close();
    }
  }, 30_000);
});
