import type { BackendStatus, ManagedBackend } from '../backend.types';
import type { CallRecord, TranscriptEntry } from '../call.types';
import type { CallListQuery, CallStore } from './call-store.interface';
import {
  isTransientStoreError,
  storeErrorMessage,
} from './transient-store-error.util';

/** Where outages and recoveries are reported (a Nest Logger or pino logger fits). */
export interface StoreLogger {
  warn(obj: object): void;
  /** For recoveries; `warn` is used when absent. */
  log?(obj: object): void;
}

export interface ResilientCallStoreOptions {
  /** Name for health() when the inner store has none (default: its `backend` property, else 'unknown'). */
  backend?: string;
  /** Queued writes kept while the backend is down (default 50,000); beyond it the oldest go. */
  maxPendingWrites?: number;
  /** First retry delay (default 100 ms); doubles per failed attempt up to maxRetryDelayMs. */
  minRetryDelayMs?: number;
  /** Longest retry delay (default 5000 ms). */
  maxRetryDelayMs?: number;
  /** A write still unanswered after this long resolves true and finishes in the background (default 500 ms). */
  writeTimeoutMs?: number;
  /** close() waits this long for queued writes to flush (default 3000 ms). */
  closeTimeoutMs?: number;
  /** Queued transcript batches for one call are merged into writes of at most this many entries (default 1000). */
  maxBatchEntries?: number;
  /** Which errors mean "backend unreachable, retry" (default isTransientStoreError). */
  isTransient?: (err: unknown) => boolean;
  logger?: StoreLogger;
}

export const DEFAULT_MAX_PENDING_WRITES = 50_000;

export interface ResilientCallStoreStats {
  /** Writes not yet applied to the backend. */
  pendingWrites: number;
  /** Queued writes thrown away because the queue was full. */
  droppedWrites: number;
  /** Transcript entries in those dropped writes. */
  droppedTranscriptEntries: number;
  /** Writes already acknowledged (optimistically) that the backend then refused. */
  failedWrites: number;
}

type Write =
  | { kind: 'create'; record: CallRecord }
  | { kind: 'update'; patch: Partial<CallRecord> }
  | { kind: 'append'; entries: TranscriptEntry[] };

interface QueuedWrite {
  readonly callSid: string;
  readonly write: Write;
  state: 'waiting' | 'running' | 'done' | 'dropped';
  /** The caller, while it still waits for the real outcome. */
  waiter?: {
    resolve(found: boolean): void;
    reject(err: unknown): void;
    timer: NodeJS.Timeout;
  };
}

/** One call's writes, applied strictly in order by a single runner. */
interface Lane {
  writes: QueuedWrite[];
  running: boolean;
  /** Writes in this lane whose callers were already told `true`: later writes join them. */
  acknowledged: number;
}

type Outcome = { found: boolean } | { error: unknown };

const HEALTH_TIMEOUT_MS = 2000;
const CLOSE_RETRY_DELAY_MS = 100;

/**
 * Keeps the call path going when the database is not: writes that fail because the backend is
 * unreachable are queued in memory (bounded) and retried in the background with exponential
 * backoff, in order per call, while callers get `true` at once. Reads go straight to the backend.
 *
 * Delivery is at least once: a transcript batch whose commit was lost with the connection can be
 * written twice. Writes of different calls run concurrently; one call's writes never overlap.
 */
export class ResilientCallStore implements CallStore, ManagedBackend {
  private readonly backend: string;
  private readonly maxPendingWrites: number;
  private readonly minRetryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly writeTimeoutMs: number;
  private readonly closeTimeoutMs: number;
  private readonly maxBatchEntries: number;
  private readonly isTransient: (err: unknown) => boolean;
  private readonly logger?: StoreLogger;

  private readonly lanes = new Map<string, Lane>();
  /** Transcript writes oldest first (done ones pruned lazily): the first to drop when full. */
  private transcriptOrder: QueuedWrite[] = [];
  /** transcriptOrder before this index is settled or dropped. */
  private transcriptHead = 0;
  private pending = 0;
  private dropped = 0;
  private droppedEntries = 0;
  private failed = 0;

  private outage?: { since: number; failures: number };
  /** The queue-full warning went out; reset once the queue empties. */
  private warnedFull = false;
  private lastError?: string;
  /** One runner at a time probes a down backend; the others wait for `turn`. */
  private probing = false;
  private readonly turn = signal();
  private sleeper?: { timer: NodeJS.Timeout; wake: () => void };
  private idleWaiters: (() => void)[] = [];
  private closing = false;
  private closed = false;
  private closed$?: Promise<void>;

  constructor(
    private readonly inner: CallStore & Partial<ManagedBackend>,
    options: ResilientCallStoreOptions = {},
  ) {
    const innerName = (inner as { backend?: unknown }).backend;
    this.backend =
      options.backend ??
      (typeof innerName === 'string' ? innerName : 'unknown');
    this.maxPendingWrites = Math.max(
      1,
      options.maxPendingWrites ?? DEFAULT_MAX_PENDING_WRITES,
    );
    this.minRetryDelayMs = options.minRetryDelayMs ?? 100;
    this.maxRetryDelayMs = Math.max(
      this.minRetryDelayMs,
      options.maxRetryDelayMs ?? 5000,
    );
    this.writeTimeoutMs = options.writeTimeoutMs ?? 500;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 3000;
    this.maxBatchEntries = Math.max(1, options.maxBatchEntries ?? 1000);
    this.isTransient = options.isTransient ?? isTransientStoreError;
    this.logger = options.logger;
  }

  create(record: CallRecord): Promise<boolean> {
    return this.enqueue(record.callSid, {
      kind: 'create',
      record: structuredClone(record),
    });
  }

  update(callSid: string, patch: Partial<CallRecord>): Promise<boolean> {
    return this.enqueue(callSid, {
      kind: 'update',
      patch: structuredClone(patch),
    });
  }

  appendTranscript(
    callSid: string,
    entries: TranscriptEntry[],
  ): Promise<boolean> {
    return this.enqueue(callSid, {
      kind: 'append',
      entries: entries.map((entry) => ({ ...entry })),
    });
  }

  /** From the backend; if it fails while the call's creation is still queued, from the queue. */
  async get(callSid: string): Promise<CallRecord | undefined> {
    try {
      return await this.inner.get(callSid);
    } catch (err) {
      const queued = this.queuedView(callSid);
      if (queued) return queued;
      throw err;
    }
  }

  list(query: CallListQuery): Promise<CallRecord[]> {
    return this.inner.list(query);
  }

  async health(): Promise<BackendStatus> {
    const pendingWrites = this.pending;
    const notes =
      this.dropped > 0
        ? `${this.dropped} queued writes dropped (${this.droppedEntries} transcript entries)`
        : undefined;
    if (this.outage) {
      return {
        backend: this.backend,
        ok: false,
        detail: join(this.lastError ?? 'unreachable', notes),
        pendingWrites,
      };
    }
    let status: BackendStatus = { backend: this.backend, ok: true };
    if (this.inner.health) {
      try {
        status = await withTimeout(this.inner.health(), HEALTH_TIMEOUT_MS);
      } catch (err) {
        status = {
          backend: this.backend,
          ok: false,
          detail: storeErrorMessage(err),
        };
      }
    }
    return { ...status, detail: join(status.detail, notes), pendingWrites };
  }

  stats(): ResilientCallStoreStats {
    return {
      pendingWrites: this.pending,
      droppedWrites: this.dropped,
      droppedTranscriptEntries: this.droppedEntries,
      failedWrites: this.failed,
    };
  }

  /** Resolves true once no write is queued, or false after `timeoutMs`. */
  async flush(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    if (this.pending === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      Number.isFinite(timeoutMs)
        ? new Promise<void>((resolve) => {
            timer = setTimeout(resolve, Math.max(0, timeoutMs));
          })
        : new Promise<never>(() => {}),
    ]);
    clearTimeout(timer);
    return this.pending === 0;
  }

  /** Flushes queued writes (retrying quickly) for up to closeTimeoutMs, then closes the backend. */
  close(): Promise<void> {
    this.closed$ ??= this.shutdown();
    return this.closed$;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    this.wake();
    const flushed = await this.flush(this.closeTimeoutMs);
    this.closed = true;
    this.wake();
    this.turn.fire();
    if (!flushed) {
      this.logger?.warn({
        msg: 'Call store closed with writes still queued; they are lost',
        backend: this.backend,
        pendingWrites: this.pending,
        err: this.lastError,
      });
    }
    await this.inner.close?.();
  }

  private enqueue(callSid: string, write: Write): Promise<boolean> {
    if (this.closed) {
      return Promise.reject(new Error('The call store is closed'));
    }
    if (this.pending >= this.maxPendingWrites) this.makeRoom();

    let lane = this.lanes.get(callSid);
    if (!lane) {
      lane = { writes: [], running: false, acknowledged: 0 };
      this.lanes.set(callSid, lane);
    }
    const queued: QueuedWrite = { callSid, write, state: 'waiting' };
    lane.writes.push(queued);
    this.pending++;
    if (write.kind === 'append') this.transcriptOrder.push(queued);

    let result: Promise<boolean>;
    if (this.outage || lane.acknowledged > 0) {
      // Down, or this call has writes queued already: queue behind them, answer at once.
      lane.acknowledged++;
      result = Promise.resolve(true);
    } else {
      result = new Promise<boolean>((resolve, reject) => {
        const timer = setTimeout(
          () => this.acknowledge(queued),
          this.writeTimeoutMs,
        );
        timer.unref();
        queued.waiter = { resolve, reject, timer };
      });
    }
    if (!lane.running) void this.run(callSid, lane);
    return result;
  }

  /** Tells the caller `true` now; the write stays queued. */
  private acknowledge(queued: QueuedWrite): void {
    const waiter = queued.waiter;
    if (!waiter) return;
    clearTimeout(waiter.timer);
    queued.waiter = undefined;
    const lane = this.lanes.get(queued.callSid);
    if (lane) lane.acknowledged++;
    waiter.resolve(true);
  }

  /** Applies one call's writes in order until none are left. */
  private async run(callSid: string, lane: Lane): Promise<void> {
    lane.running = true;
    try {
      while (lane.writes.length > 0 && !this.closed) {
        const probe = await this.waitForTurn();
        if (this.closed || lane.writes.length === 0) {
          if (probe) this.releaseProbe();
          break;
        }
        const batch = this.takeBatch(lane);
        let outcome: Outcome;
        try {
          outcome = { found: await this.apply(callSid, batch) };
        } catch (error) {
          outcome = { error };
        }
        if (probe) this.probing = false;
        if ('error' in outcome && this.isTransient(outcome.error)) {
          for (const queued of batch) queued.state = 'waiting';
          this.onUnreachable(outcome.error);
          continue;
        }
        this.finish(lane, batch, outcome);
        this.onReachable();
      }
    } finally {
      lane.running = false;
      if (this.closed) {
        for (const queued of lane.writes) {
          const waiter = queued.waiter;
          queued.waiter = undefined;
          if (waiter) {
            clearTimeout(waiter.timer);
            waiter.reject(new Error('The call store closed first'));
          }
        }
      }
      if (lane.writes.length === 0 && this.lanes.get(callSid) === lane) {
        this.lanes.delete(callSid);
      }
    }
  }

  /**
   * Resolves when this runner may try a write: at once while the backend is up. While it is down,
   * one runner (the probe, resolved `true`) tries after the backoff delay; the others wait until
   * the backend is back or the probe steps aside.
   */
  private async waitForTurn(): Promise<boolean> {
    while (this.outage && !this.closed) {
      if (!this.probing) {
        this.probing = true;
        await this.sleep(this.retryDelay(this.outage.failures));
        return true;
      }
      await this.turn.promise;
    }
    return false;
  }

  private releaseProbe(): void {
    this.probing = false;
    this.turn.fire();
  }

  private retryDelay(failures: number): number {
    // Closing: a short, steady retry, so the flush gets as many tries as its time allows.
    if (this.closing)
      return Math.min(this.minRetryDelayMs, CLOSE_RETRY_DELAY_MS);
    return Math.min(
      this.maxRetryDelayMs,
      this.minRetryDelayMs * 2 ** Math.min(30, Math.max(0, failures - 1)),
    );
  }

  /** The lane's first write, plus the transcript writes right behind it when it is one. */
  private takeBatch(lane: Lane): QueuedWrite[] {
    const head = lane.writes[0];
    const batch = [head];
    if (head.write.kind === 'append') {
      let entries = head.write.entries.length;
      for (let i = 1; i < lane.writes.length; i++) {
        const next = lane.writes[i];
        if (next.write.kind !== 'append') break;
        entries += next.write.entries.length;
        if (entries > this.maxBatchEntries) break;
        batch.push(next);
      }
    }
    for (const queued of batch) queued.state = 'running';
    return batch;
  }

  private async apply(callSid: string, batch: QueuedWrite[]): Promise<boolean> {
    const write = batch[0].write;
    switch (write.kind) {
      case 'create':
        return this.inner.create(write.record);
      case 'update':
        return this.inner.update(callSid, write.patch);
      case 'append':
        return this.inner.appendTranscript(
          callSid,
          batch.length === 1
            ? write.entries
            : batch.flatMap((queued) =>
                queued.write.kind === 'append' ? queued.write.entries : [],
              ),
        );
    }
  }

  /** The batch is settled (applied, refused or failed for good): take it off the lane. */
  private finish(lane: Lane, batch: QueuedWrite[], outcome: Outcome): void {
    lane.writes.splice(0, batch.length);
    let refusedUnanswered = false;
    for (const queued of batch) {
      queued.state = 'done';
      this.pending--;
      const waiter = queued.waiter;
      if (waiter) {
        queued.waiter = undefined;
        clearTimeout(waiter.timer);
        if ('found' in outcome) waiter.resolve(outcome.found);
        else waiter.reject(outcome.error);
      } else {
        lane.acknowledged--;
        if ('error' in outcome || !outcome.found) {
          this.failed++;
          if ('error' in outcome) refusedUnanswered = true;
        }
      }
    }
    if (refusedUnanswered && 'error' in outcome) {
      this.logger?.warn({
        msg: 'A queued call store write was refused and dropped',
        backend: this.backend,
        callSid: batch[0].callSid,
        write: batch[0].write.kind,
        err: storeErrorMessage(outcome.error),
      });
    }
    this.afterRemoval();
  }

  /** Queue full: drops the oldest queued transcript batch, else the oldest queued write. */
  private makeRoom(): void {
    while (this.pending >= this.maxPendingWrites) {
      const victim = this.oldestDroppable();
      if (!victim) return;
      const lane = this.lanes.get(victim.callSid);
      if (lane) {
        lane.writes.splice(lane.writes.indexOf(victim), 1);
        if (victim.waiter) this.acknowledge(victim);
        lane.acknowledged--;
      }
      victim.state = 'dropped';
      this.pending--;
      this.dropped++;
      if (victim.write.kind === 'append') {
        this.droppedEntries += victim.write.entries.length;
      }
      if (!this.warnedFull) {
        this.warnedFull = true;
        this.logger?.warn({
          msg: 'Call store write queue is full: dropping the oldest queued transcript lines',
          backend: this.backend,
          maxPendingWrites: this.maxPendingWrites,
        });
      }
      this.afterRemoval();
    }
  }

  private oldestDroppable(): QueuedWrite | undefined {
    const order = this.transcriptOrder;
    while (
      this.transcriptHead < order.length &&
      (order[this.transcriptHead].state === 'done' ||
        order[this.transcriptHead].state === 'dropped')
    ) {
      this.transcriptHead++;
    }
    // Only the few batches being written right now are skipped here.
    for (let i = this.transcriptHead; i < order.length; i++) {
      if (order[i].state === 'waiting') return order[i];
    }
    for (const lane of this.lanes.values()) {
      const waiting = lane.writes.find((queued) => queued.state === 'waiting');
      if (waiting) return waiting;
    }
    return undefined;
  }

  private afterRemoval(): void {
    // Prune settled transcript writes once they outnumber the live ones.
    if (this.transcriptOrder.length > 2 * this.pending + 1024) {
      this.transcriptOrder = this.transcriptOrder.filter(
        (queued) => queued.state === 'waiting' || queued.state === 'running',
      );
      this.transcriptHead = 0;
    }
    if (this.pending === 0) {
      this.warnedFull = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private onUnreachable(err: unknown): void {
    this.lastError = storeErrorMessage(err);
    if (this.outage) {
      this.outage.failures++;
      return;
    }
    this.outage = { since: Date.now(), failures: 1 };
    this.logger?.warn({
      msg: 'Call store unreachable: queueing writes and retrying in the background',
      backend: this.backend,
      err: this.lastError,
      pendingWrites: this.pending,
    });
    // Nobody waits on a down backend.
    for (const lane of this.lanes.values()) {
      for (const queued of lane.writes) this.acknowledge(queued);
    }
  }

  private onReachable(): void {
    if (!this.outage) return;
    const entry = {
      msg: 'Call store reachable again: flushing queued writes',
      backend: this.backend,
      downMs: Date.now() - this.outage.since,
      pendingWrites: this.pending,
      droppedWrites: this.dropped,
    };
    this.outage = undefined;
    if (this.logger?.log) this.logger.log(entry);
    else this.logger?.warn(entry);
    this.turn.fire();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        if (this.sleeper?.timer === timer) this.sleeper = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.sleeper = { timer, wake };
    });
  }

  /** Ends the probe's backoff early (at close). */
  private wake(): void {
    this.sleeper?.wake();
  }

  /** The call as its queued writes would leave it, if its creation is among them. */
  private queuedView(callSid: string): CallRecord | undefined {
    const writes = this.lanes.get(callSid)?.writes ?? [];
    const start = writes.findIndex((queued) => queued.write.kind === 'create');
    if (start < 0) return undefined;
    let record: CallRecord | undefined;
    for (const { write } of writes.slice(start)) {
      if (write.kind === 'create') {
        record ??= structuredClone(write.record);
      } else if (record && write.kind === 'append') {
        record.transcript.push(...write.entries.map((entry) => ({ ...entry })));
      } else if (record && write.kind === 'update') {
        for (const [key, value] of Object.entries(write.patch)) {
          if (
            key === 'callSid' ||
            key === 'transcript' ||
            value === undefined
          ) {
            continue;
          }
          (record as unknown as Record<string, unknown>)[key] = structuredClone(
            value as unknown,
          );
        }
      }
    }
    return record;
  }
}

/** A promise that can be resolved from outside, then replaced by a fresh one. */
function signal(): { promise: Promise<void>; fire(): void } {
  let resolve!: () => void;
  const state = {
    promise: new Promise<void>((r) => (resolve = r)),
    fire() {
      const fired = resolve;
      state.promise = new Promise<void>((r) => (resolve = r));
      fired();
    },
  };
  return state;
}

function join(...parts: (string | undefined)[]): string | undefined {
  const text = parts.filter(Boolean).join('; ');
  return text || undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${ms} ms`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}
