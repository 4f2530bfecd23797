import { mulawEncode } from '../codec/mulaw.codec';
import type { RecordingMeta, RecordingSink } from './recording-sink';
import { WAV_HEADER_BYTES } from './wav-header';

/** A sink that keeps everything in memory and settles at once. */
export class MemorySink implements RecordingSink {
  header?: Buffer;
  readonly chunks: Buffer[] = [];
  finished?: { header: Buffer; meta: RecordingMeta };
  aborted?: RecordingMeta;
  appends = 0;

  open(header: Buffer): Promise<void> {
    this.header = Buffer.from(header);
    return Promise.resolve();
  }

  append(chunk: Buffer): Promise<void> {
    this.appends++;
    this.chunks.push(Buffer.from(chunk));
    return Promise.resolve();
  }

  finish(header: Buffer, meta: RecordingMeta): Promise<void> {
    this.finished = { header: Buffer.from(header), meta };
    return Promise.resolve();
  }

  abort(meta: RecordingMeta): Promise<void> {
    this.aborted = meta;
    return Promise.resolve();
  }

  /** The whole file as published: final header, then the data. */
  file(): Buffer {
    if (!this.finished) throw new Error('not finished');
    return Buffer.concat([this.finished.header, ...this.chunks]);
  }
}

/** A disk that takes the header and then never completes a write (nor anything after). */
export class StuckSink extends MemorySink {
  override append(): Promise<void> {
    this.appends++;
    return new Promise<void>(() => undefined);
  }

  override abort(meta: RecordingMeta): Promise<void> {
    this.aborted = meta;
    return new Promise<void>(() => undefined);
  }
}

/** A disk whose writes fail (EIO). */
export class FailingSink extends MemorySink {
  override append(): Promise<void> {
    this.appends++;
    return Promise.reject(new Error('EIO: i/o error, write'));
  }
}

/** A disk whose writes wait until the test lets them go. */
export class GatedSink extends MemorySink {
  private readonly waiting: Array<() => void> = [];

  override append(chunk: Buffer): Promise<void> {
    return new Promise<void>((resolve) =>
      this.waiting.push(() => {
        void super.append(chunk).then(resolve);
      }),
    );
  }

  /** Completes every write waiting now. */
  release(): void {
    for (const go of this.waiting.splice(0)) go();
  }

  get pending(): number {
    return this.waiting.length;
  }
}

/** A WAV's interleaved 16-bit stereo data split into its two channels. */
export function channels(wav: Buffer): { left: Int16Array; right: Int16Array } {
  const data = wav.subarray(WAV_HEADER_BYTES);
  const frames = data.length / 4;
  const left = new Int16Array(frames);
  const right = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    left[i] = data.readInt16LE(i * 4);
    right[i] = data.readInt16LE(i * 4 + 2);
  }
  return { left, right };
}

/** `samples` of constant PCM `value` as a base64 μ-law payload. */
export function mulawPayload(samples: number, value: number): string {
  const codes = new Uint8Array(samples);
  mulawEncode(new Int16Array(samples).fill(value), codes);
  return Buffer.from(codes).toString('base64');
}

/** Lets queued promise callbacks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
