import { FileRecordingSink, RecordingSinkFactory } from '@app/audio-bridge';

/** Call recordings; the app maps RECORDING, RECORDINGS_DIR and RECORDING_RETENTION_DAYS onto this. */
export interface RecordingOptions {
  /** Record calls whose agent profile does not say (`recording` unset). Default false. */
  enabled: boolean;
  /** Where recordings are written (relative paths from the working directory). */
  dir: string;
  /** Recordings last written more than this many days ago are deleted; 0 keeps them for ever. */
  retentionDays: number;
  /** Rendered audio one call may hold while the disk catches up (bytes; default 1 MiB ≈ 32 s). */
  maxBufferedBytes?: number;
  /** At a call's end, the longest wait for the disk to take its backlog, and to publish (ms; default 10 000). */
  finishTimeoutMs?: number;
  /** How often the retention sweep runs (ms; default one hour). */
  sweepIntervalMs?: number;
}

/** Recording off, `data/recordings`, 30 days: what applies when the app passes nothing. */
export const DEFAULT_RECORDING_OPTIONS: RecordingOptions = {
  enabled: false,
  dir: 'data/recordings',
  retentionDays: 30,
};

export const RECORDING_OPTIONS = 'RECORDING_OPTIONS';

/** Makes each call's RecordingSink (default: a file on the local disk). Tests hand in slow or failing ones. */
export const RECORDING_SINK_FACTORY = 'RECORDING_SINK_FACTORY';

export const fileRecordingSinks: RecordingSinkFactory = (dir, callSid) =>
  new FileRecordingSink(dir, callSid);
