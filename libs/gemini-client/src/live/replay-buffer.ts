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

/**
 * Every client message the server may not have consumed yet: appended as it is sent, released once a
 * resumption handle we would resume from covers it (`lastConsumedClientMessageIndex`), and replayed in
 * order on the connection that resumes the session. Bounded: beyond `maxAudio` the oldest audio goes
 * (counted); control messages are dropped only past `maxControl` (counted separately; should stay 0).
 */
export class ReplayBuffer<L> {
  /** Audio messages dropped because the buffer was full (lost if a resume needed them). */
  droppedAudio = 0;
  /** Control messages dropped because the buffer was full. */
  droppedControl = 0;
  private entries: Array<ReplayEntry<L>> = [];
  private audioCount = 0;
  private nextSeq = 1;

  constructor(private readonly limits = DEFAULT_REPLAY_LIMITS) {}

  /** Messages held. */
  get size(): number {
    return this.entries.length;
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
    let count = 0;
    while (count < this.entries.length && this.entries[count].seq <= seq) {
      if (this.entries[count].audio) this.audioCount--;
      count++;
    }
    if (count > 0) this.entries.splice(0, count);
  }

  /**
   * What connection `to` (whose state includes our messages through `afterSeq`) still needs, oldest
   * first: messages after `afterSeq` not yet written to it, except tool answers owned by another
   * connection (they belong there, or nowhere). For a resumed connection that is its replay; for an
   * old one taking over again, what it missed meanwhile.
   */
  unsentTo(to: L, afterSeq: number): Array<ReplayEntry<L>> {
    return this.entries.filter(
      (entry) =>
        entry.seq > afterSeq &&
        entry.sentTo !== to &&
        (entry.owner === undefined || entry.owner === to),
    );
  }

  /** Drops everything (the session is over). */
  clear(): void {
    this.entries = [];
    this.audioCount = 0;
  }

  private dropOldest(audio: boolean): void {
    const index = this.entries.findIndex((entry) => entry.audio === audio);
    if (index < 0) return;
    this.entries.splice(index, 1);
    if (audio) {
      this.audioCount--;
      this.droppedAudio++;
    } else this.droppedControl++;
  }
}
