/** One client message of the logical session, in the order the caller's side produced it. */
export interface ReplayEntry<L> {
  /** Session-wide sequence number, from 1, increasing by one per message. */
  readonly seq: number;
  /** The serialized client message (`realtimeInput`, `toolResponse`, `clientContent`…). */
  readonly frame: string;
  /** Audio may be dropped (backpressure, a full buffer); anything else never is. */
  readonly audio: boolean;
  /**
   * Set for a tool response: the connection that issued the call. It goes to that connection only; a
   * connection resumed from elsewhere never sees it (the server ignores answers to calls it never made).
   */
  readonly owner?: L;
  /** The last connection this entry was written to. */
  sentTo?: L;
}

export interface ReplayBufferLimits {
  /** Audio messages kept (20 ms each from the phone path: 500 = 10 s, ~0.5 MB of base64). */
  maxAudio: number;
  /** Control messages kept; far beyond anything a call sends between two resumption handles. */
  maxControl: number;
}

export const DEFAULT_REPLAY_LIMITS: ReplayBufferLimits = {
  maxAudio: 500,
  maxControl: 2000,
};

/** Released slots kept at the front before the array is compacted (amortizes the copy). */
const COMPACT_AFTER = 1024;

/**
 * Every client message the server may not have consumed yet: appended as it is sent, released once a
 * resumption handle we would resume from covers it (`lastConsumedClientMessageIndex`), and replayed in
 * order on the connection that resumes the session. Bounded: beyond `maxAudio` the oldest audio goes
 * (counted); control messages are dropped only past `maxControl` (counted separately; should stay 0).
 * A queue with a moving head: releasing or dropping the oldest message is O(1) (a full buffer drops
 * one audio message per message sent, so this is on the audio path).
 */
export class ReplayBuffer<L> {
  /** Audio messages dropped because the buffer was full (lost if a resume needed them). */
  droppedAudio = 0;
  /** Control messages dropped because the buffer was full. */
  droppedControl = 0;
  /** Live entries are `entries[head..]`; slots before `head` are released. */
  private entries: Array<ReplayEntry<L> | undefined> = [];
  private head = 0;
  private audioCount = 0;
  private nextSeq = 1;

  constructor(private readonly limits = DEFAULT_REPLAY_LIMITS) {}

  /** Messages held. */
  get size(): number {
    return this.entries.length - this.head;
  }

  /** The newest seq handed out (0 before the first message). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Numbers and keeps one message. */
  append(frame: string, audio: boolean, owner?: L): ReplayEntry<L> {
    const entry: ReplayEntry<L> = { seq: this.nextSeq++, frame, audio, owner };
    this.entries.push(entry);
    if (audio) this.audioCount++;
    if (audio && this.audioCount > this.limits.maxAudio) this.dropOldest(true);
    else if (!audio && this.size - this.audioCount > this.limits.maxControl)
      this.dropOldest(false);
    return entry;
  }

  /** Forgets every message up to and including `seq`: the server has them in a resumable state. */
  release(seq: number): void {
    const entries = this.entries;
    while (this.head < entries.length && entries[this.head]!.seq <= seq) {
      if (entries[this.head]!.audio) this.audioCount--;
      entries[this.head++] = undefined;
    }
    this.compact();
  }

  /**
   * What connection `to` (whose state includes our messages through `afterSeq`) still needs, oldest
   * first: messages after `afterSeq` not yet written to it, except tool answers owned by another
   * connection (they belong there, or nowhere). For a resumed connection that is its replay; for an
   * old one taking over again, what it missed meanwhile.
   */
  unsentTo(to: L, afterSeq: number): Array<ReplayEntry<L>> {
    const out: Array<ReplayEntry<L>> = [];
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      if (
        entry.seq > afterSeq &&
        entry.sentTo !== to &&
        (entry.owner === undefined || entry.owner === to)
      )
        out.push(entry);
    }
    return out;
  }

  /** Drops everything (the session is over). */
  clear(): void {
    this.entries = [];
    this.head = 0;
    this.audioCount = 0;
  }

  private dropOldest(audio: boolean): void {
    const entries = this.entries;
    let index = this.head;
    while (index < entries.length && entries[index]!.audio !== audio) index++;
    if (index >= entries.length) return;
    if (index === this.head) {
      entries[this.head++] = undefined;
      this.compact();
    } else entries.splice(index, 1);
    if (audio) {
      this.audioCount--;
      this.droppedAudio++;
    } else this.droppedControl++;
  }

  /** Copies the live entries down once enough released slots have piled up at the front. */
  private compact(): void {
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (
      this.head >= COMPACT_AFTER &&
      this.head * 2 >= this.entries.length
    ) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
