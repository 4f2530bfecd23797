import { RECORDING_FILE_PATTERN } from '@app/audio-bridge';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { recordingMetrics } from './recording.metrics';
import { RECORDING_OPTIONS, RecordingOptions } from './recording.options';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Default time between sweeps (ms). */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Retention: deletes recording files (`<callSid>.wav`, `.wav.part`, `.json`; nothing else in the
 * directory) last written more than RECORDING_RETENTION_DAYS days ago. Sweeps once at start (in the
 * background: boot does not wait on it) and then every hour; 0 days keeps recordings for ever.
 * A file being written is never old (every write touches it), so live recordings are safe.
 */
@Injectable()
export class RecordingRetention
  implements OnApplicationBootstrap, OnModuleDestroy
{
  private readonly logger = new Logger(RecordingRetention.name);
  private readonly dir: string;
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    @Inject(RECORDING_OPTIONS) private readonly options: RecordingOptions,
  ) {
    this.dir = resolve(options.dir);
  }

  onApplicationBootstrap(): void {
    if (this.options.retentionDays <= 0) return;
    this.timer = setInterval(
      () => this.sweepInBackground(),
      this.options.sweepIntervalMs ?? SWEEP_INTERVAL_MS,
    );
    this.timer.unref();
    this.sweepInBackground();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * Deletes the recording files last modified before `nowMs` minus the retention period; returns how
   * many. A missing directory is nothing to sweep. Rejects only if the directory cannot be listed.
   */
  async sweep(nowMs = Date.now()): Promise<number> {
    if (this.options.retentionDays <= 0) return 0;
    const cutoff = nowMs - this.options.retentionDays * DAY_MS;
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    let deleted = 0;
    for (const name of names) {
      if (!RECORDING_FILE_PATTERN.test(name)) continue;
      const path = join(this.dir, name);
      try {
        const info = await stat(path);
        if (!info.isFile() || info.mtimeMs >= cutoff) continue;
        await rm(path, { force: true });
        deleted++;
      } catch (err) {
        this.logger.warn({
          file: name,
          err: err instanceof Error ? err.message : String(err),
          msg: 'Could not delete an old recording file',
        });
      }
    }
    recordingMetrics.deleted.inc(deleted);
    if (deleted > 0)
      this.logger.log({
        deleted,
        retentionDays: this.options.retentionDays,
        msg: 'Deleted old recording files',
      });
    return deleted;
  }

  /** One sweep at a time; errors are logged, never thrown. */
  private sweepInBackground(): void {
    if (this.running) return;
    this.running = this.sweep()
      .catch((err: unknown) => {
        this.logger.warn({
          err: err instanceof Error ? err.message : String(err),
          msg: 'Recording retention sweep failed',
        });
        return 0;
      })
      .finally(() => {
        this.running = undefined;
      });
  }
}
