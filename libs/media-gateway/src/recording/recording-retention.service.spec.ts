import {
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingRetention } from './recording-retention.service';

const DAY_MS = 24 * 60 * 60 * 1000;
const OLD = 'CA' + '1'.repeat(32);
const NEW = 'CA' + '2'.repeat(32);

describe('RecordingRetention', () => {
  let dir: string;
  const now = Date.parse('2025-06-30T12:00:00Z');

  function file(name: string, ageDays: number): void {
    const path = join(dir, name);
    writeFileSync(path, 'x');
    const at = new Date(now - ageDays * DAY_MS);
    utimesSync(path, at, at);
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vg-retention-'));
    file(`${OLD}.wav`, 31);
    file(`${OLD}.json`, 31);
    file(`${OLD}.wav.part`, 40); // left behind by a crash
    file(`${NEW}.wav`, 29);
    file(`${NEW}.json`, 29);
    file('notes.txt', 400); // not a recording: never touched
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deletes recording files older than the retention period, and nothing else', async () => {
    const retention = new RecordingRetention({
      enabled: false,
      dir,
      retentionDays: 30,
    });
    expect(await retention.sweep(now)).toBe(3);
    expect(readdirSync(dir).sort()).toEqual(
      [`${NEW}.json`, `${NEW}.wav`, 'notes.txt'].sort(),
    );
  });

  it('0 days keeps everything', async () => {
    const retention = new RecordingRetention({
      enabled: true,
      dir,
      retentionDays: 0,
    });
    expect(await retention.sweep(now)).toBe(0);
    expect(readdirSync(dir)).toHaveLength(6);
  });

  it('a missing directory is nothing to sweep', async () => {
    const retention = new RecordingRetention({
      enabled: true,
      dir: join(dir, 'absent'),
      retentionDays: 1,
    });
    expect(await retention.sweep(now)).toBe(0);
    expect(existsSync(join(dir, 'absent'))).toBe(false);
  });

  it('sweeps once at start, in the background, and stops its timer on shutdown', async () => {
    const retention = new RecordingRetention({
      enabled: true,
      dir,
      retentionDays: 30,
      sweepIntervalMs: 60_000,
    });
    // Files dated against the real clock: the old ones are far older than 30 days from today.
    file(`${'CA' + '3'.repeat(32)}.wav`, 10_000);
    retention.onApplicationBootstrap();
    await retention.onModuleDestroy(); // waits for the sweep in flight
    expect(existsSync(join(dir, `${'CA' + '3'.repeat(32)}.wav`))).toBe(false);
  });
});
