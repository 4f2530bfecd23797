/**
 * How the server numbers the client messages of one connection, for
 * `sessionResumptionUpdate.lastConsumedClientMessageIndex` ("index of last message sent by client
 * that is included in state represented by this SessionResumptionToken", js-genai `types.ts`,
 * `LiveServerSessionResumptionUpdate`). Google does not document the origin; we count per connection
 * with `setup` as index 0 and the first message after it as 1. That is the one choice under which the
 * proto3 default (0, left off the wire) still means something true: "nothing after setup". The
 * emulator (libs/simulators, `EmulatedLiveSession`) counts the same way.
 */
export const SETUP_MESSAGE_INDEX = 0;

/** Entries kept per connection, at least (~80 s of 20 ms audio); older ones are long covered by a handle. */
const MAX_ENTRIES = 4096;

/**
 * Which replay sequence number (see ReplayBuffer) each client message written on one connection
 * carried, by the index the server gives it. Messages are recorded when handed to the socket, so a
 * frame dropped under backpressure takes no index, exactly as the server never sees it. Untagged
 * messages (a connection used on its own) take an index with no sequence number.
 */
export class ClientMessageLog {
  /** seqs[i] is the seq of the message with index `base + i` (NaN when untagged). */
  private seqs: number[] = [];
  private base = SETUP_MESSAGE_INDEX + 1;

  /** Messages written after setup so far (the index of the last one). */
  get lastIndex(): number {
    return this.base + this.seqs.length - 1;
  }

  /** The seq of the newest tagged message written, if any. */
  get lastSeq(): number | undefined {
    for (let i = this.seqs.length - 1; i >= 0; i--)
      if (!Number.isNaN(this.seqs[i])) return this.seqs[i];
    return undefined;
  }

  /**
   * Records the next message written (its index is `lastIndex + 1`). The oldest entries are trimmed
   * MAX_ENTRIES at a time (the log holds MAX_ENTRIES to twice that), so a long call does not copy
   * the whole log on every message.
   */
  written(seq: number | undefined): void {
    this.seqs.push(seq ?? NaN);
    if (this.seqs.length >= 2 * MAX_ENTRIES) {
      this.seqs.splice(0, MAX_ENTRIES);
      this.base += MAX_ENTRIES;
    }
  }

  /**
   * The seq of the message with server index `index` (≥ 1), or undefined when that message was never
   * written, carried no seq, or is older than the log keeps.
   */
  seqAt(index: number): number | undefined {
    const seq = this.seqs[index - this.base];
    return seq === undefined || Number.isNaN(seq) ? undefined : seq;
  }
}
