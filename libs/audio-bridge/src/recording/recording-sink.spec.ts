import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallRecorder } from './call-recorder';
import { FileRecordingSink, recordingPaths } from './recording-sink';
import { channels, mulawPayload } from './recording-sinks.test-helper';

const SID = 'CA' + 'b'.repeat(32);

describe('FileRecordingSink', () => {
  let dir: string;

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'vg-rec-')), 'nested', 'recordings');
  });

  afterEach(() => rmSync(join(dir, '../..'), { recursive: true, force: true }));

  it('writes <callSid>.wav.part while recording, then publishes <callSid>.wav and its sidecar', async () => {
    const paths = recordingPaths(dir, SID);
    let clockMs = 0;
    const rec = new CallRecorder({
      callSid: SID,
      sink: new FileRecordingSink(dir, SID),
      now: () => clockMs,
    });
    for (let t = 0; t < 1000; t += 20) {
      clockMs = t + 20;
      rec.caller(mulawPayload(160, t < 500 ? 1000 : 0), t);
      if (t % 200 === 0) rec.flush();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(paths.part)).toBe(true);
    expect(existsSync(paths.wav)).toBe(false);
    rec.finish();
    const result = await rec.done;
    expect(result.status).toBe('complete');
    expect(existsSync(paths.part)).toBe(false);
    const wav = readFileSync(paths.wav);
    expect(wav.readUInt32LE(40)).toBe(1000 * 8 * 4);
    expect(wav.length).toBe(44 + 1000 * 8 * 4);
    const { left } = channels(wav);
    expect(left[100 * 8]).not.toBe(0);
    expect(left[700 * 8]).toBe(0);
    expect(JSON.parse(readFileSync(paths.meta, 'utf8'))).toMatchObject({
      callSid: SID,
      status: 'complete',
      durationMs: 1000,
    });
  });

  it('abort removes the partial file and keeps a failed sidecar', async () => {
    const sink = new FileRecordingSink(dir, SID);
    const paths = recordingPaths(dir, SID);
    await sink.open(Buffer.alloc(44));
    await sink.append(Buffer.alloc(400));
    const meta = {
      callSid: SID,
      status: 'failed' as const,
      startedAt: new Date(0).toISOString(),
      durationMs: 0,
      droppedMs: 0,
      lateCallerMs: 0,
      error: 'EIO',
    };
    await sink.abort(meta);
    expect(existsSync(paths.part)).toBe(false);
    expect(existsSync(paths.wav)).toBe(false);
    expect(JSON.parse(readFileSync(paths.meta, 'utf8'))).toEqual(meta);
  });

  it('refuses names that could leave the directory', () => {
    for (const bad of ['../CA1', 'CA/1', '', 'a'.repeat(65), 'CA1\0'])
      expect(() => recordingPaths(dir, bad)).toThrow(RangeError);
  });
});
