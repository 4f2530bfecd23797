import {
  CallRecorder,
  RecordingMeta,
  RecordingResult,
  RecordingSinkFactory,
  RecordingStatus,
  recordingPaths,
} from '@app/audio-bridge';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import type { FileHandle } from 'node:fs/promises';
import { open, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { recordingMetrics, registerRecordingGauges } from './recording.metrics';
import {
  RECORDING_OPTIONS,
  RECORDING_SINK_FACTORY,
  RecordingOptions,
} from './recording.options';

/** Extra wait at shutdown beyond a recorder's own limits (ms). */
const SHUTDOWN_MARGIN_MS = 1000;

/** What `GET /calls/:callSid/recording/info` says about a call's recording. */
export interface RecordingInfo {
  callSid: string;
  /**
   * `none`: not recorded (or deleted by retention); `recording`: the call is still being written;
   * `complete` / `partial` (the disk fell behind: some audio is silence): playable; `failed`: no WAV.
   */
  status: 'none' | 'recording' | RecordingStatus;
  /** Size of the WAV (bytes), when there is one. */
  bytes?: number;
  /** Length of the audio (ms), when known. */
  durationMs?: number;
  /** When the media stream started (ISO 8601), when known. */
  startedAt?: string;
}

/** A published recording opened for reading. */
export interface OpenRecording {
  handle: FileHandle;
  /** Size of the WAV file (bytes). */
  size: number;
  /** From the sidecar; undefined when it cannot be read. */
  status?: RecordingStatus;
}

/**
 * Call recordings: decides which calls are recorded (the agent profile's `recording`, else the
 * deployment's RECORDING), starts one CallRecorder per recorded call, logs and counts how each ended,
 * and opens published recordings for the admin API. Recorders write in the background: nothing here
 * is awaited on a call's path. At shutdown it waits, bounded, for ended calls' recordings to publish.
 */
@Injectable()
export class RecordingsService implements OnModuleInit, OnApplicationShutdown {
  /** The recordings directory (absolute). */
  readonly dir: string;
  private readonly logger = new Logger(RecordingsService.name);
  private readonly active = new Set<CallRecorder>();

  constructor(
    @Inject(RECORDING_OPTIONS) private readonly options: RecordingOptions,
    @Inject(RECORDING_SINK_FACTORY)
    private readonly sinks: RecordingSinkFactory,
  ) {
    this.dir = resolve(options.dir);
  }

  /** Recordings being written now. */
  get activeCount(): number {
    return this.active.size;
  }

  /** Rendered audio all recordings hold waiting for the disk (bytes). */
  get bufferedBytes(): number {
    let bytes = 0;
    for (const recorder of this.active) bytes += recorder.bufferedBytes;
    return bytes;
  }

  onModuleInit(): void {
    registerRecordingGauges(() => ({
      active: this.active.size,
      bufferedBytes: this.bufferedBytes,
    }));
  }

  /** Whether a call is recorded: its profile's `recording` when set, else the deployment default. */
  wants(profileRecording: boolean | undefined): boolean {
    return profileRecording ?? this.options.enabled;
  }

  /**
   * A recorder for a call whose media stream has just started (its clock starts now), or undefined
   * when the call is not recorded or its sink cannot be made (logged; the call goes on unrecorded).
   */
  start(
    callSid: string,
    profileRecording: boolean | undefined,
  ): CallRecorder | undefined {
    if (!this.wants(profileRecording)) return undefined;
    let recorder: CallRecorder;
    try {
      recorder = new CallRecorder({
        callSid,
        sink: this.sinks(this.dir, callSid),
        maxBufferedBytes: this.options.maxBufferedBytes,
        finishTimeoutMs: this.options.finishTimeoutMs,
        onError: (err) => {
          recordingMetrics.writeErrors.inc();
          this.logger.warn({
            callSid,
            err: err instanceof Error ? err.message : String(err),
            msg: 'Recording write failed; the call goes on unrecorded',
          });
        },
      });
    } catch (err) {
      recordingMetrics.finished.inc({ status: 'failed' });
      this.logger.warn({
        callSid,
        err: err instanceof Error ? err.message : String(err),
        msg: 'Recording could not start; the call goes on unrecorded',
      });
      return undefined;
    }
    this.active.add(recorder);
    void recorder.done.then((result) => {
      this.active.delete(recorder);
      this.report(result);
    });
    return recorder;
  }

  /**
   * Opens the published recording of `callSid` (the caller checked it is a Call SID) with its size
   * and sidecar status; undefined when there is none (not recorded, still recording, failed, or
   * deleted by retention).
   */
  async open(callSid: string): Promise<OpenRecording | undefined> {
    const paths = recordingPaths(this.dir, callSid);
    let handle: FileHandle;
    try {
      handle = await open(paths.wav, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const { size } = await handle.stat();
      return { handle, size, status: (await readMeta(paths.meta))?.status };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** What there is of `callSid`'s recording (the caller checked it is a Call SID). Never throws for a missing file. */
  async describe(callSid: string): Promise<RecordingInfo> {
    const paths = recordingPaths(this.dir, callSid);
    const [wav, meta, part] = await Promise.all([
      stat(paths.wav).catch(() => undefined),
      readMeta(paths.meta),
      stat(paths.part).catch(() => undefined),
    ]);
    const known = {
      durationMs: meta?.durationMs,
      startedAt: meta?.startedAt,
    };
    if (wav)
      return {
        callSid,
        status: meta?.status ?? 'complete',
        bytes: wav.size,
        ...known,
      };
    if (part) return { callSid, status: 'recording' };
    if (meta?.status === 'failed')
      return { callSid, status: 'failed', ...known };
    return { callSid, status: 'none' };
  }

  /** Shutdown: the calls have been ended; wait (bounded) for their recordings to be published. */
  async onApplicationShutdown(): Promise<void> {
    if (this.active.size === 0) return;
    // Calls are ended by other shutdown hooks running alongside this one: let them start finishing.
    await new Promise((resolve) => setImmediate(resolve));
    const limit = (this.options.finishTimeoutMs ?? 10_000) * 3;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, limit + SHUTDOWN_MARGIN_MS);
      timer.unref();
    });
    await Promise.race([
      Promise.all([...this.active].map((recorder) => recorder.done)),
      late,
    ]);
    clearTimeout(timer);
    if (this.active.size > 0)
      this.logger.warn({
        recordings: this.active.size,
        msg: 'Shutting down with recordings still being written',
      });
  }

  private report(result: RecordingResult): void {
    try {
      recordingMetrics.finished.inc({ status: result.status });
      if (result.droppedMs > 0)
        recordingMetrics.droppedSeconds.inc(result.droppedMs / 1000);
      const fields = {
        callSid: result.callSid,
        status: result.status,
        durationMs: result.durationMs,
        droppedMs: result.droppedMs,
        lateCallerMs: result.lateCallerMs,
      };
      if (result.status === 'failed')
        this.logger.warn({
          ...fields,
          err: result.error,
          msg: 'Recording failed',
        });
      else if (result.status === 'partial')
        this.logger.warn({
          ...fields,
          msg: 'Recording saved with gaps (the disk was too slow)',
        });
      else this.logger.log({ ...fields, msg: 'Recording saved' });
    } catch {
      // Reporting must never turn into an unhandled rejection.
    }
  }
}

/** The sidecar (`<callSid>.json`), or undefined when it is missing or unreadable. */
async function readMeta(path: string): Promise<RecordingMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(path, 'utf8')) as RecordingMeta;
    return ['complete', 'partial', 'failed'].includes(meta.status)
      ? meta
      : undefined;
  } catch {
    return undefined;
  }
}
