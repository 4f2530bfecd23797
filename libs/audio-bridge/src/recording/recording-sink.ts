import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { WAV_HEADER_BYTES } from './wav-header';

/** How a recording ended. */
export type RecordingStatus =
  /** Every sample was written. */
  | 'complete'
  /** The disk could not keep up (or the call outgrew a WAV): some audio was replaced by silence. */
  | 'partial'
  /** Writing failed or never finished: no WAV is published. */
  | 'failed';

/** The sidecar record written next to a recording (`<callSid>.json`). */
export interface RecordingMeta {
  callSid: string;
  status: RecordingStatus;
  /** When the media stream started (ISO 8601). */
  startedAt: string;
  /** Length of the WAV's audio (ms). */
  durationMs: number;
  /** Audio replaced by silence because the disk was too slow (ms). */
  droppedMs: number;
  /** Caller audio that arrived too late to place (ms). */
  lateCallerMs: number;
  /** Why it failed (status `failed`). */
  error?: string;
}

/**
 * Where one call's recording goes. The recorder calls `open` once, then `append` one call at a time in
 * order (it never has two writes in flight), then `finish` or `abort`. Any of them may reject or never
 * settle: the recorder bounds what it holds and how long it waits, and the call never waits on a sink.
 */
export interface RecordingSink {
  /** Creates the file with a placeholder header (`header`, 44 bytes). */
  open(header: Buffer): Promise<void>;
  /** Appends PCM frames after what was appended before. */
  append(chunk: Buffer): Promise<void>;
  /** Rewrites the header with the final sizes, closes, and publishes the WAV with `meta`. */
  finish(header: Buffer, meta: RecordingMeta): Promise<void>;
  /** Gives up: closes and removes the partial file, keeps `meta` (status `failed`) when the disk allows. */
  abort(meta: RecordingMeta): Promise<void>;
}

/** Makes the sink for one call's recording in directory `dir`. */
export type RecordingSinkFactory = (
  dir: string,
  callSid: string,
) => RecordingSink;

/** Call SIDs and the like: nothing that could leave the recordings directory. */
const SAFE_NAME = /^[A-Za-z0-9]{1,64}$/;

/** The files of one call's recording under `dir`: the WAV, the WAV while recording, the sidecar. */
export function recordingPaths(
  dir: string,
  callSid: string,
): { wav: string; part: string; meta: string } {
  if (!SAFE_NAME.test(callSid))
    throw new RangeError('a recording name must be 1-64 letters and digits');
  return {
    wav: join(dir, `${callSid}.wav`),
    part: join(dir, `${callSid}.wav.part`),
    meta: join(dir, `${callSid}.json`),
  };
}

/** Names of recording files in a recordings directory (and nothing else: retention deletes only these). */
export const RECORDING_FILE_PATTERN =
  /^[A-Za-z0-9]{1,64}\.(wav|wav\.part|json)$/;

/**
 * A recording on the local disk: `<callSid>.wav.part` while the call runs (header sizes 0), then the
 * header is rewritten, `<callSid>.json` written, and the file renamed to `<callSid>.wav`, so a WAV that
 * exists is complete. All I/O is asynchronous (libuv's thread pool), never on the event loop.
 */
export class FileRecordingSink implements RecordingSink {
  private handle?: FileHandle;
  /** Where the next append goes (bytes from the start of the file); writes are positional. */
  private offset = 0;
  private readonly paths: ReturnType<typeof recordingPaths>;

  constructor(
    private readonly dir: string,
    callSid: string,
  ) {
    this.paths = recordingPaths(dir, callSid);
  }

  async open(header: Buffer): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.handle = await open(this.paths.part, 'w', 0o640);
    await this.handle.write(header, 0, header.length, 0);
    this.offset = header.length;
  }

  async append(chunk: Buffer): Promise<void> {
    const at = this.offset;
    const { bytesWritten } = await this.opened().write(
      chunk,
      0,
      chunk.length,
      at,
    );
    if (bytesWritten !== chunk.length)
      throw new Error(`short write (${bytesWritten} of ${chunk.length} bytes)`);
    this.offset = at + chunk.length;
  }

  async finish(header: Buffer, meta: RecordingMeta): Promise<void> {
    const handle = this.opened();
    await handle.write(header, 0, WAV_HEADER_BYTES, 0);
    await handle.datasync();
    await handle.close();
    this.handle = undefined;
    await writeFile(this.paths.meta, JSON.stringify(meta), { mode: 0o640 });
    await rename(this.paths.part, this.paths.wav);
  }

  async abort(meta: RecordingMeta): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
    await rm(this.paths.part, { force: true }).catch(() => undefined);
    await writeFile(this.paths.meta, JSON.stringify(meta), { mode: 0o640 });
  }

  private opened(): FileHandle {
    if (!this.handle) throw new Error('recording file is not open');
    return this.handle;
  }
}
