import type { CallRecord } from '../call.types';
import type { CallStore } from './call-store.interface';
import type { StoreLogger, StoreOutageMonitor } from './store-outage.monitor';
import { storeErrorMessage } from './transient-store-error.util';
import {
  applyBatch,
  oldestDroppable,
  type Outcome,
  type QueuedWrite,
  type Write,
  WriteLane,
} from './write-lane';

/** What ResilientCallStore.stats() reports (counts since the store was made, except pendingWrites). */
export interface ResilientCallStoreStats {
  /** Writes not yet applied to the backend. */
  pendingWrites: number;
  /**
   * Queued writes thrown away because the queue was full (transcript batches only; their calls'
   * records count the lines in `transcriptLinesLost`).
   */
  droppedWrites: number;
  /** Transcript entries in those dropped writes. */
  droppedTranscriptEntries: number;
  /** Writes already acknowledged (optimistically) that the backend then refused. */
  failedWrites: number;
}

/** WriteQueue settings, already defaulted and clamped by ResilientCallStore (durations in ms). */
export interface WriteQueueOptions {
  /** Backend name for the log lines. */
  backend: string;
  /**
   * Bound on queued writes (the queue's own loss notes not counted); only transcript writes are
   * dropped to keep it (at least 1).
   */
  maxPendingWrites: number;
  /** A caller still unanswered after this many ms is told `true`; the write goes on. */
  writeTimeoutMs: number;
  /** Most transcript entries merged into one write (at least 1). */
  maxBatchEntries: number;
  /** Which errors mean "backend unreachable, retry". */
  isTransient: (err: unknown) => boolean;
  logger?: StoreLogger;
}

/**
 * The write-behind queue: one WriteLane per call with queued writes, and the single runner of
 * each lane, which applies its writes to `inner` in order. While the backend is down the runners
 * stop after their failed attempt (the lane keeps its writes); on each retry the monitor's timer
 * starts one lane as the probe, and the first attempt that reaches the backend restarts them all.
 * When more than maxPendingWrites are queued the oldest queued transcript write is dropped
 * (counted), and its lines are noted in its call's lane as a loss write, so the record shows
 * `transcriptLinesLost`; creates, updates and loss notes are never dropped, so they may take the
 * queue past the bound.
 */
export class WriteQueue {
  private readonly lanes = new Map<string, WriteLane>();
  /** Stamps writes for drop order only (see QueuedWrite.seq). */
  private seq = 0;
  private probing = false;
  private warnedFull = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  /** Writes queued, not yet settled (loss notes included). */
  private pending = 0;
  /** Of those, loss notes the queue added itself (not counted against maxPendingWrites). */
  private notes = 0;
  /** Transcript writes dropped because the queue was full. */
  private dropped = 0;
  /** Transcript entries in those writes. */
  private droppedEntries = 0;
  /** Writes already answered `true` that the backend then refused. */
  private failed = 0;

  constructor(
    private readonly inner: CallStore,
    private readonly monitor: StoreOutageMonitor,
    private readonly options: WriteQueueOptions,
  ) {}

  /**
   * Queues `write` behind the call's earlier writes. Resolves with the backend's answer, or `true`
   * at once while the backend is down or the call has writes answered early, or `true` after
   * writeTimeoutMs; rejects with the backend's error when it refuses the write for good, or with
   * an Error when the queue closes before the write was tried.
   */
  enqueue(callSid: string, write: Write): Promise<boolean> {
    const lane = this.lanes.get(callSid) ?? new WriteLane(callSid);
    this.lanes.set(callSid, lane);
    const queued: QueuedWrite = { write, seq: this.seq++ };
    let result: Promise<boolean>;
    if (this.monitor.down || lane.hasAcknowledged) {
      result = Promise.resolve(true);
    } else {
      result = new Promise<boolean>((resolve, reject) => {
        const timer = setTimeout(
          () => lane.acknowledge(queued),
          this.options.writeTimeoutMs,
        );
        timer.unref();
        queued.waiter = { resolve, reject, timer };
      });
    }
    lane.push(queued);
    this.pending++;
    if (this.overBound()) this.makeRoom();
    this.start(lane);
    return result;
  }

  /** The queue's counters: writes queued now, and writes dropped and failed so far. */
  stats(): ResilientCallStoreStats {
    return {
      pendingWrites: this.pending,
      droppedWrites: this.dropped,
      droppedTranscriptEntries: this.droppedEntries,
      failedWrites: this.failed,
    };
  }

  /** The call as its queued writes would leave it, if its creation is still queued (a copy). */
  view(callSid: string): CallRecord | undefined {
    return this.lanes.get(callSid)?.view();
  }

  /**
   * Resolves true once no write is queued, or false when `timeoutMs` (ms; default: no limit)
   * passes first. Never rejects.
   */
  whenIdle(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    if (this.pending === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(this.pending === 0);
      };
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(done, Math.max(0, timeoutMs))
        : undefined;
      this.idleWaiters.push(done);
    });
  }

  /** Closing: retries now, then at the monitor's short close delay. */
  hurry(): void {
    this.monitor.hurry();
    this.scheduleProbe();
  }

  /**
   * Stops every runner after its current attempt and rejects callers still waiting on writes not
   * yet tried with Error('The call store closed first'). Queued writes stay (visible to view()).
   */
  close(): void {
    this.closed = true;
    this.monitor.stop();
    for (const lane of this.lanes.values()) {
      if (!lane.running) lane.rejectWaiting(closedFirst());
    }
  }

  /** Starts the lane's runner unless it runs already, the backend is down, or the queue closed. */
  private start(lane: WriteLane): void {
    if (lane.running || lane.size === 0 || this.closed) return;
    if (this.monitor.down) {
      this.scheduleProbe();
      return;
    }
    void this.run(lane, false);
  }

  /**
   * The lane's runner: applies its writes in order until none are left. While the backend is down
   * it stops after its failed attempt; `probe` allows it the first attempt despite the outage.
   * Never rejects (unless isTransient or the logger throws).
   */
  private async run(lane: WriteLane, probe: boolean): Promise<void> {
    lane.running = true;
    // The probe's one attempt despite the outage; `probing` is cleared once it is made.
    let probeOpen = probe;
    try {
      while (
        lane.size > 0 &&
        !this.closed &&
        (probeOpen || !this.monitor.down)
      ) {
        const batch = lane.takeBatch(this.options.maxBatchEntries);
        const outcome = await applyBatch(this.inner, lane.callSid, batch);
        if (probeOpen) {
          probeOpen = false;
          this.probing = false;
        }
        if ('error' in outcome && this.options.isTransient(outcome.error)) {
          lane.requeue();
          this.onUnreachable(outcome.error);
        } else {
          this.settle(lane, outcome);
          // Back up: restart every lane that stopped during the outage.
          if (this.monitor.reportSuccess()) {
            for (const other of [...this.lanes.values()]) this.start(other);
          }
        }
      }
    } finally {
      lane.running = false;
      if (probeOpen) this.probing = false;
      if (this.closed) lane.rejectWaiting(closedFirst());
      this.removeIfEmpty(lane);
    }
  }

  /** The batch in flight is settled (applied, refused or failed for good): answer its callers. */
  private settle(lane: WriteLane, outcome: Outcome): void {
    const batch = lane.settle();
    let refusedUnanswered = false;
    for (const queued of batch) {
      this.pending--;
      if (queued.note) this.notes--;
      const waiter = queued.waiter;
      if (waiter) {
        queued.waiter = undefined;
        clearTimeout(waiter.timer);
        if ('found' in outcome) waiter.resolve(outcome.found);
        else waiter.reject(outcome.error);
      } else if ('error' in outcome || !outcome.found) {
        this.failed++;
        if ('error' in outcome) refusedUnanswered = true;
      }
    }
    if (refusedUnanswered && 'error' in outcome) {
      this.options.logger?.warn({
        msg: 'A queued call store write was refused and dropped',
        backend: this.options.backend,
        callSid: lane.callSid,
        write: batch[0].write.kind,
        err: storeErrorMessage(outcome.error),
      });
    }
    this.afterRemoval();
  }

  private onUnreachable(err: unknown): void {
    // Nobody waits on a down backend.
    if (this.monitor.reportFailure(err)) {
      for (const lane of this.lanes.values()) lane.acknowledgeAll();
    }
    this.scheduleProbe();
  }

  /** While down, arms the monitor's retry timer, unless a probe attempt is under way. */
  private scheduleProbe(): void {
    if (this.probing || this.closed) return;
    this.monitor.scheduleRetry(() => this.probe());
  }

  /** Retry time: lets the oldest idle lane try its head write although the backend is down. */
  private probe(): void {
    if (this.closed || this.probing || !this.monitor.down) return;
    for (const lane of this.lanes.values()) {
      if (!lane.running && lane.size > 0) {
        this.probing = true;
        void this.run(lane, true);
        return;
      }
    }
    // Nothing idle to try: a lane still in flight, or the next write, re-arms the timer.
  }

  /**
   * More than maxPendingWrites queued: drops the oldest queued transcript writes (any call's,
   * never one in flight) until the queue is back at the bound or none is left. Each drop's lines
   * go into a loss note in that call's lane (see WriteLane.noteLoss), written like any write.
   */
  private makeRoom(): void {
    if (!this.warnedFull) {
      this.warnedFull = true;
      this.options.logger?.warn({
        msg: 'Call store write queue is full: dropping the oldest queued transcript lines (calls and status updates are kept)',
        backend: this.options.backend,
        maxPendingWrites: this.options.maxPendingWrites,
      });
    }
    while (this.overBound()) {
      const victim = oldestDroppable(this.lanes.values());
      if (!victim) return;
      const { lane, queued } = victim;
      lane.acknowledge(queued);
      lane.remove(queued);
      this.pending--;
      this.dropped++;
      const lines =
        queued.write.kind === 'append' ? queued.write.entries.length : 0;
      this.droppedEntries += lines;
      if (lines > 0 && lane.noteLoss(lines, this.seq++)) {
        this.pending++;
        this.notes++;
      }
      this.start(lane);
      this.removeIfEmpty(lane);
      this.afterRemoval();
    }
  }

  /** More writes queued than maxPendingWrites allows (the queue's own loss notes aside). */
  private overBound(): boolean {
    return this.pending - this.notes > this.options.maxPendingWrites;
  }

  private removeIfEmpty(lane: WriteLane): void {
    if (lane.size > 0 || lane.running) return;
    if (this.lanes.get(lane.callSid) === lane) this.lanes.delete(lane.callSid);
  }

  private afterRemoval(): void {
    if (this.pending > 0) return;
    this.warnedFull = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function closedFirst(): Error {
  return new Error('The call store closed first');
}
