import { concatInt16 } from '../audio/pcm.util';

type Item =
  | { kind: 'audio'; samples: Int16Array; offset: number }
  | { kind: 'mark'; name: string };

/** What one stretch of playback produced. */
export interface DrainResult {
  /** Exactly the requested number of samples: played audio, then silence if the buffer ran dry. */
  audio: Int16Array;
  /** Marks whose preceding audio has now fully played, in order. */
  marks: string[];
}

/**
 * Twilio's outbound playback queue for one stream: media payloads queue up and play in real time,
 * marks sit at the end of the audio queued before them and fire once that audio has played, and
 * `clear` drops the queued audio and fires every pending mark at once. Pure (the caller supplies
 * time as sample counts), so it can be tested without timers.
 */
export class PlaybackBuffer {
  private items: Item[] = [];
  private queued = 0;
  private readonly heard: Int16Array[] = [];
  private heardLength = 0;

  /** Samples waiting to be played. */
  get bufferedSamples(): number {
    return this.queued;
  }

  /** Marks waiting for their audio to play. */
  get pendingMarks(): string[] {
    return this.items.flatMap((item) =>
      item.kind === 'mark' ? [item.name] : [],
    );
  }

  /** Samples played so far, silence included (the caller's timeline). */
  get playedSamples(): number {
    return this.heardLength;
  }

  enqueueAudio(samples: Int16Array): void {
    if (samples.length === 0) return;
    this.items.push({ kind: 'audio', samples, offset: 0 });
    this.queued += samples.length;
  }

  enqueueMark(name: string): void {
    this.items.push({ kind: 'mark', name });
  }

  /** Drops all queued audio; returns the marks that fire because of it. */
  clear(): string[] {
    const marks = this.pendingMarks;
    this.items = [];
    this.queued = 0;
    return marks;
  }

  /** Plays `count` samples (filling with silence past the queued audio) and reports marks reached. */
  drain(count: number): DrainResult {
    const audio = new Int16Array(Math.max(0, count));
    const marks: string[] = [];
    let written = 0;
    while (this.items.length > 0) {
      const item = this.items[0];
      if (item.kind === 'mark') {
        marks.push(item.name);
        this.items.shift();
        continue;
      }
      if (written === audio.length) break;
      const take = Math.min(
        audio.length - written,
        item.samples.length - item.offset,
      );
      audio.set(
        item.samples.subarray(item.offset, item.offset + take),
        written,
      );
      item.offset += take;
      written += take;
      this.queued -= take;
      if (item.offset === item.samples.length) this.items.shift();
    }
    this.heard.push(audio);
    this.heardLength += audio.length;
    return { audio, marks };
  }

  /** Everything played so far, silence included. */
  heardAudio(): Int16Array {
    if (this.heard.length > 1) {
      const joined = concatInt16(this.heard);
      this.heard.length = 0;
      this.heard.push(joined);
    }
    return this.heard[0] ?? new Int16Array(0);
  }
}
