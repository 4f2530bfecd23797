import type { CallRecord, TranscriptEntry } from '../call.types';
import type { CallStore } from './call-store.interface';

/**
 * One queued call store write, as the caller asked for it (values already copied), or a note of
 * transcript lines lost (`loss`: added by a caller, or by a full queue for the batches it dropped).
 */
export type Write =
  | { kind: 'create'; record: CallRecord }
  | { kind: 'update'; patch: Partial<CallRecord> }
  | { kind: 'append'; entries: TranscriptEntry[] }
  | { kind: 'loss'; lines: number };

/** A caller still waiting for the real outcome of its write. */
export interface WriteWaiter {
  resolve(found: boolean): void;
  reject(err: unknown): void;
  /** Answers the caller `true` after writeTimeoutMs (cleared once it is answered). */
  timer: NodeJS.Timeout;
}

/** A write in its call's lane. */
export interface QueuedWrite {
  readonly write: Write;
  /**
   * When it was queued, from a store-wide counter. Only picks which transcript batch a full
   * queue drops first (the lowest); it never decides when a write is applied.
   */
  readonly seq: number;
  /** Set while the caller waits; unset once the caller was told `true` (acknowledged). */
  waiter?: WriteWaiter;
  /** Added by the queue itself (a loss note for dropped batches), not by a caller. */
  readonly note?: boolean;
}

/**
 * Whether a full queue may throw this write away: only transcript batches. A create, every
 * update (above all a final one: `endedAt`, or status 'completed' / 'failed') and every loss note
 * are always kept.
 */
export function isDroppable(write: Write): boolean {
  return write.kind === 'append';
}

/**
 * One call's writes, oldest first: the only thing that orders them. A single runner (the lane's
 * `running` flag) applies the head batch, waits for its outcome, and only then takes the next, so
 * one call's writes never overlap and never change order. Writes of different calls are in
 * different lanes and run concurrently. Nothing else reorders or holds back a single write: a
 * full queue only removes transcript writes from lanes, and an outage only decides when a lane's
 * runner is started.
 */
export class WriteLane {
  /** Queued writes, oldest first; the first `inFlight` of them are being applied now. */
  private readonly queue: QueuedWrite[] = [];
  private inFlight = 0;
  /** Writes in this lane whose callers were already told `true`. */
  private acknowledged = 0;
  /** True while a runner is applying this lane's writes (at most one runner per lane). */
  running = false;

  constructor(readonly callSid: string) {}

  /** Writes queued (including the batch being applied). */
  get size(): number {
    return this.queue.length;
  }

  /** True when a caller of an earlier write in this lane was already told `true`: later writes join them. */
  get hasAcknowledged(): boolean {
    return this.acknowledged > 0;
  }

  /** Adds a write at the tail. */
  push(queued: QueuedWrite): void {
    this.queue.push(queued);
    if (!queued.waiter) this.acknowledged++;
  }

  /**
   * Tells the caller of `queued` (a write in this lane) `true` now, if it still waits; the write
   * stays queued. Later writes of this call then answer at once and queue behind it.
   */
  acknowledge(queued: QueuedWrite): void {
    const waiter = queued.waiter;
    if (!waiter) return;
    clearTimeout(waiter.timer);
    queued.waiter = undefined;
    this.acknowledged++;
    waiter.resolve(true);
  }

  /**
   * Notes that `lines` transcript lines of this call were dropped: added to the loss note queued
   * in this lane (not in flight) if there is one, else a new note at the tail (returned, so the
   * queue can count it). Keeps at most one such note per lane besides one in flight.
   */
  noteLoss(lines: number, seq: number): QueuedWrite | undefined {
    for (let i = this.inFlight; i < this.queue.length; i++) {
      const queued = this.queue[i];
      if (queued.note && queued.write.kind === 'loss') {
        queued.write.lines += lines;
        return undefined;
      }
    }
    const note: QueuedWrite = {
      write: { kind: 'loss', lines },
      seq,
      note: true,
    };
    this.push(note);
    return note;
  }

  /** Tells every waiting caller in this lane `true` now (the backend is down: nobody waits on it). */
  acknowledgeAll(): void {
    for (const queued of this.queue) this.acknowledge(queued);
  }

  /**
   * Marks the next batch in flight and returns it: the head write, plus the transcript writes
   * right behind it when it is one, up to `maxEntries` transcript entries in all. Throws a
   * RangeError when a batch is already in flight or the lane is empty.
   */
  takeBatch(maxEntries: number): QueuedWrite[] {
    if (this.inFlight > 0 || this.queue.length === 0) {
      throw new RangeError(
        'takeBatch: a batch is in flight or the lane is empty',
      );
    }
    const head = this.queue[0];
    let count = 1;
    if (head.write.kind === 'append') {
      let entries = head.write.entries.length;
      for (; count < this.queue.length; count++) {
        const next = this.queue[count].write;
        if (next.kind !== 'append') break;
        entries += next.entries.length;
        if (entries > maxEntries) break;
      }
    }
    this.inFlight = count;
    return this.queue.slice(0, count);
  }

  /** The batch in flight failed transiently: it stays at the head, to be taken again. */
  requeue(): void {
    this.inFlight = 0;
  }

  /** The batch in flight is settled: removes and returns it (its waiters still to be answered). */
  settle(): QueuedWrite[] {
    const batch = this.queue.splice(0, this.inFlight);
    this.inFlight = 0;
    for (const queued of batch) if (!queued.waiter) this.acknowledged--;
    return batch;
  }

  /** The oldest transcript write not in flight, which a full queue may drop. */
  oldestDroppable(): QueuedWrite | undefined {
    for (let i = this.inFlight; i < this.queue.length; i++) {
      if (isDroppable(this.queue[i].write)) return this.queue[i];
    }
    return undefined;
  }

  /** Takes a write that is not in flight out of the lane; false if it is not there. */
  remove(queued: QueuedWrite): boolean {
    const at = this.queue.indexOf(queued, this.inFlight);
    if (at < 0) return false;
    this.queue.splice(at, 1);
    if (!queued.waiter) this.acknowledged--;
    return true;
  }

  /** Rejects the callers still waiting on writes not in flight with `err` (the store closed first). */
  rejectWaiting(err: Error): void {
    for (let i = this.inFlight; i < this.queue.length; i++) {
      const waiter = this.queue[i].waiter;
      if (!waiter) continue;
      clearTimeout(waiter.timer);
      this.queue[i].waiter = undefined;
      this.acknowledged++;
      waiter.reject(err);
    }
  }

  /** The call as its queued writes would leave it, if its creation is among them (a copy). */
  view(): CallRecord | undefined {
    const start = this.queue.findIndex(({ write }) => write.kind === 'create');
    if (start < 0) return undefined;
    let record: CallRecord | undefined;
    for (const { write } of this.queue.slice(start)) {
      if (write.kind === 'create') {
        record ??= structuredClone(write.record);
      } else if (record && write.kind === 'append') {
        record.transcript.push(...write.entries.map((entry) => ({ ...entry })));
      } else if (record && write.kind === 'update') {
        mergePatch(record, write.patch);
      } else if (record && write.kind === 'loss' && write.lines >= 1) {
        record.transcriptLinesLost =
          (record.transcriptLinesLost ?? 0) + Math.floor(write.lines);
      }
    }
    return record;
  }
}

/**
 * The oldest queued transcript write of all `lanes` (lowest seq, never one in flight) with its
 * lane: what a full queue drops first. Costs one look at each lane's head; never throws.
 */
export function oldestDroppable(
  lanes: Iterable<WriteLane>,
): { lane: WriteLane; queued: QueuedWrite } | undefined {
  let victim: { lane: WriteLane; queued: QueuedWrite } | undefined;
  for (const lane of lanes) {
    const queued = lane.oldestDroppable();
    if (queued && (!victim || queued.seq < victim.queued.seq)) {
      victim = { lane, queued };
    }
  }
  return victim;
}

/** How a settled batch went: the backend's answer, or the error it threw. */
export type Outcome = { found: boolean } | { error: unknown };

/**
 * Writes one batch (from WriteLane.takeBatch) of `callSid` to `inner`: a create, an update, a
 * loss note, or the batch's transcript entries merged into one append. Never rejects: an error
 * the backend throws comes back as `{ error }`.
 */
export async function applyBatch(
  inner: CallStore,
  callSid: string,
  batch: readonly QueuedWrite[],
): Promise<Outcome> {
  const write = batch[0].write;
  try {
    switch (write.kind) {
      case 'create':
        return { found: await inner.create(write.record) };
      case 'update':
        return { found: await inner.update(callSid, write.patch) };
      case 'loss':
        return {
          found: await inner.recordTranscriptLoss(callSid, write.lines),
        };
      case 'append':
        return {
          found: await inner.appendTranscript(
            callSid,
            batch.length === 1
              ? write.entries
              : batch.flatMap(({ write }) =>
                  write.kind === 'append' ? write.entries : [],
                ),
          ),
        };
    }
  } catch (error) {
    return { error };
  }
}

/**
 * Applies an update patch as CallStore.update does: callSid, transcript, transcriptLinesLost and
 * undefined are ignored.
 */
function mergePatch(record: CallRecord, patch: Partial<CallRecord>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (
      key === 'callSid' ||
      key === 'transcript' ||
      key === 'transcriptLinesLost' ||
      value === undefined
    ) {
      continue;
    }
    (record as unknown as Record<string, unknown>)[key] = structuredClone(
      value as unknown,
    );
  }
}
