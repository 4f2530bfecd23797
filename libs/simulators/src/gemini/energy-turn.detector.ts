import { concatInt16, rmsInt16 } from '../audio/pcm.util';

export interface TurnDetectorOptions {
  /** Sample rate of the pushed audio (default 16000). */
  rate?: number;
  /** Block RMS above which a 20 ms block is speech. */
  threshold: number;
  /** Silence after speech that ends a turn. */
  silenceMs: number;
  /** Speech a turn needs; shorter bursts followed by silence are dropped. */
  minSpeechMs: number;
  /** Continuous speech that counts as the caller talking over a reply. */
  bargeInMs: number;
}

/** A finished turn: its audio from the first to the last speech block, and that duration. */
export interface TurnEnd {
  type: 'turn';
  audio: Int16Array;
  speechMs: number;
}

export type TurnEvent =
  /** The caller has been speaking for `bargeInMs` without a pause (fires once per speech run). */
  { type: 'speech' } | TurnEnd;

const BLOCK_MS = 20;

/**
 * Energy-based end-of-turn detection over 20 ms blocks: speech is a block whose RMS exceeds the
 * threshold; a turn ends after `silenceMs` of silence following at least `minSpeechMs` of speech.
 * Blocks are counted from the first sample pushed, so chunking does not change the result.
 */
export class EnergyTurnDetector {
  private readonly blockSize: number;
  private readonly pending: Int16Array;
  private pendingLength = 0;
  /** Blocks of the current turn, from its first speech block up to the latest block. */
  private turnBlocks: Int16Array[] = [];
  /** Number of turn blocks up to and including the last speech block. */
  private voicedLength = 0;
  private speechMs = 0;
  private runMs = 0;
  private silenceMs = 0;

  constructor(private readonly options: TurnDetectorOptions) {
    this.blockSize = ((options.rate ?? 16000) * BLOCK_MS) / 1000;
    this.pending = new Int16Array(this.blockSize);
  }

  /** True while a turn has started (speech seen) and not yet ended. */
  get inTurn(): boolean {
    return this.turnBlocks.length > 0;
  }

  /** Feeds audio; returns what happened in it, in order. */
  push(samples: Int16Array): TurnEvent[] {
    const events: TurnEvent[] = [];
    let at = 0;
    while (at < samples.length) {
      const take = Math.min(
        this.blockSize - this.pendingLength,
        samples.length - at,
      );
      this.pending.set(samples.subarray(at, at + take), this.pendingLength);
      this.pendingLength += take;
      at += take;
      if (this.pendingLength === this.blockSize) {
        this.pendingLength = 0;
        this.block(this.pending.slice(), events);
      }
    }
    return events;
  }

  /** Ends the current turn now (explicit activityEnd / audioStreamEnd), if it has any speech. */
  flush(): TurnEnd | undefined {
    const event = this.speechMs > 0 ? this.finishTurn() : undefined;
    this.reset();
    return event;
  }

  private block(block: Int16Array, events: TurnEvent[]): void {
    const speech = rmsInt16(block) > this.options.threshold;
    if (speech) {
      this.turnBlocks.push(block);
      this.voicedLength = this.turnBlocks.length;
      this.speechMs += BLOCK_MS;
      this.silenceMs = 0;
      const before = this.runMs;
      this.runMs += BLOCK_MS;
      const needed = Math.max(BLOCK_MS, this.options.bargeInMs);
      if (before < needed && this.runMs >= needed)
        events.push({ type: 'speech' });
      return;
    }
    this.runMs = 0;
    if (!this.inTurn) return;
    this.turnBlocks.push(block);
    this.silenceMs += BLOCK_MS;
    if (this.silenceMs < this.options.silenceMs) return;
    if (this.speechMs >= this.options.minSpeechMs)
      events.push(this.finishTurn());
    this.reset();
  }

  private finishTurn(): TurnEnd {
    const voiced = this.turnBlocks.slice(0, this.voicedLength);
    return {
      type: 'turn',
      audio: concatInt16(voiced),
      speechMs: voiced.length * BLOCK_MS,
    };
  }

  private reset(): void {
    this.turnBlocks = [];
    this.voicedLength = 0;
    this.speechMs = 0;
    this.runMs = 0;
    this.silenceMs = 0;
  }
}
