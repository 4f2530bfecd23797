import type { BackendStatus, ManagedBackend } from '../backend.types';
import type { CallRecord, TranscriptEntry } from '../call.types';
import type { CallListQuery, CallStore } from './call-store.interface';
import { StoreOutageMonitor, type StoreLogger } from './store-outage.monitor';
import {
  isTransientStoreError,
  storeErrorMessage,
} from './transient-store-error.util';
import type { Write } from './write-lane';
import { WriteQueue, type ResilientCallStoreStats } from './write-queue';

export type { ResilientCallStoreStats } from './write-queue';

export type { StoreLogger } from './store-outage.monitor';

/** Tuning for ResilientCallStore; every field is optional (durations in ms). */
export interface ResilientCallStoreOptions {
  /** Name for health() when the inner store has none (default: its `backend` property, else 'unknown'). */
  backend?: string;
  /**
   * Queued writes kept while the backend is down (default 50,000, at least 1). Beyond it the
   * oldest queued transcript batches are dropped (counted in stats()) and each call's record gets
   * the number of its lines lost (`transcriptLinesLost`, through a loss note queued in its place,
   * at most one per call, not counted here). Creates, updates (a final one with `endedAt` or
   * status 'completed' / 'failed' included) and loss notes are never dropped: when no transcript
   * batch is left to drop they are queued past this bound.
   */
  maxPendingWrites?: number;
  /** First retry delay in ms (default 100); doubles per failed attempt up to maxRetryDelayMs. */
  minRetryDelayMs?: number;
  /** Longest retry delay in ms (default 5000). */
  maxRetryDelayMs?: number;
  /** A write still unanswered after this many ms resolves true and finishes in the background (default 500). */
  writeTimeoutMs?: number;
  /** close() waits this many ms for queued writes to flush (default 3000). */
  closeTimeoutMs?: number;
  /** Queued transcript batches for one call are merged into writes of at most this many entries (default 1000). */
  maxBatchEntries?: number;
  /** Which errors mean "backend unreachable, retry" (default isTransientStoreError). */
  isTransient?: (err: unknown) => boolean;
  logger?: StoreLogger;
}

/** Default bound on queued writes (ResilientCallStoreOptions.maxPendingWrites). */
export const DEFAULT_MAX_PENDING_WRITES = 50_000;

/** How long health() waits for the inner store's health, in ms. */
const HEALTH_TIMEOUT_MS = 2000;

/**
 * Keeps the call path going when the database is not: writes that fail because the backend is
 * unreachable are queued in memory (bounded) and retried in the background with exponential
 * backoff, in order per call, while callers get `true` at once. Reads go straight to the backend.
 *
 * Each call's writes wait in that call's lane and are applied one after another by the lane's
 * single runner (see WriteQueue / WriteLane); writes of different calls run concurrently.
 * Delivery is at least once: a transcript batch whose commit was lost with the connection can be
 * written twice.
 */
export class ResilientCallStore implements CallStore, ManagedBackend {
  private readonly backend: string;
  private readonly closeTimeoutMs: number;
  /** The write queue's bound (see ResilientCallStoreOptions.maxPendingWrites). */
  private readonly maxPendingWrites: number;
  private readonly logger?: StoreLogger;
  private readonly monitor: StoreOutageMonitor;
  private readonly queue: WriteQueue;
  private closed = false;
  private closed$?: Promise<void>;

  /** Wraps `inner`; never throws (out-of-range options are clamped). */
  constructor(
    private readonly inner: CallStore & Partial<ManagedBackend>,
    options: ResilientCallStoreOptions = {},
  ) {
    const innerName = (inner as { backend?: unknown }).backend;
    this.backend =
      options.backend ??
      (typeof innerName === 'string' ? innerName : 'unknown');
    this.closeTimeoutMs = options.closeTimeoutMs ?? 3000;
    this.logger = options.logger;
    const minRetryDelayMs = options.minRetryDelayMs ?? 100;
    this.monitor = new StoreOutageMonitor({
      backend: this.backend,
      minRetryDelayMs,
      maxRetryDelayMs: Math.max(
        minRetryDelayMs,
        options.maxRetryDelayMs ?? 5000,
      ),
      logger: this.logger,
      figures: () => this.queue.stats(),
    });
    this.maxPendingWrites = Math.max(
      1,
      options.maxPendingWrites ?? DEFAULT_MAX_PENDING_WRITES,
    );
    this.queue = new WriteQueue(inner, this.monitor, {
      backend: this.backend,
      maxPendingWrites: this.maxPendingWrites,
      writeTimeoutMs: options.writeTimeoutMs ?? 500,
      maxBatchEntries: Math.max(1, options.maxBatchEntries ?? 1000),
      isTransient: options.isTransient ?? isTransientStoreError,
      logger: this.logger,
    });
  }

  /**
   * Queues the new record (a copy). Resolves with the backend's answer (false: the CallSid
   * exists), or `true` at once while the backend is down or within writeTimeoutMs (ms) if it is
   * slow. Rejects with the backend's error if it refuses the write for good, with
   * Error('The call store is closed') after close(), and with Error('The call store closed
   * first') if close() ran out of time before the write was tried. Never dropped when the queue
   * is full.
   */
  create(record: CallRecord): Promise<boolean> {
    return this.enqueue(record.callSid, {
      kind: 'create',
      record: structuredClone(record),
    });
  }

  /**
   * Queues a patch (a copy) behind the call's earlier writes. Resolves and rejects as create()
   * does (false: the call is unknown). Never dropped when the queue is full.
   */
  update(callSid: string, patch: Partial<CallRecord>): Promise<boolean> {
    return this.enqueue(callSid, {
      kind: 'update',
      patch: structuredClone(patch),
    });
  }

  /**
   * Queues transcript entries (copies) behind the call's earlier writes; queued batches of one
   * call are merged. Resolves and rejects as create() does. When the queue is full the oldest
   * queued batches are dropped (counted in stats()); their callers have been told `true`.
   */
  appendTranscript(
    callSid: string,
    entries: TranscriptEntry[],
  ): Promise<boolean> {
    return this.enqueue(callSid, {
      kind: 'append',
      entries: entries.map((entry) => ({ ...entry })),
    });
  }

  /**
   * Queues a note that `lines` transcript lines of the call were lost, behind the call's earlier
   * writes. Resolves and rejects as create() does (false: the call is unknown). Never dropped.
   */
  recordTranscriptLoss(callSid: string, lines: number): Promise<boolean> {
    return this.enqueue(callSid, { kind: 'loss', lines });
  }

  /**
   * From the backend; if that fails while the call's creation is still queued, the call as its
   * queued writes would leave it. Otherwise rejects with the backend's error.
   */
  async get(callSid: string): Promise<CallRecord | undefined> {
    try {
      return await this.inner.get(callSid);
    } catch (err) {
      const queued = this.queue.view(callSid);
      if (queued) return queued;
      throw err;
    }
  }

  /** Straight from the backend (queued writes are not included); rejects with its error. */
  list(query: CallListQuery): Promise<CallRecord[]> {
    return this.inner.list(query);
  }

  /**
   * Not ok during an outage (detail: the last error), else the inner store's health (waited for
   * at most 2000 ms), plus pendingWrites and a note of dropped writes. Never rejects.
   */
  async health(): Promise<BackendStatus> {
    const { pendingWrites, droppedWrites, droppedTranscriptEntries } =
      this.queue.stats();
    const notes =
      droppedWrites > 0
        ? `${droppedWrites} queued writes dropped (${droppedTranscriptEntries} transcript entries)`
        : undefined;
    if (this.monitor.down) {
      return {
        backend: this.backend,
        ok: false,
        detail: join(this.monitor.lastError ?? 'unreachable', notes),
        outage: true,
        pendingWrites,
        maxPendingWrites: this.maxPendingWrites,
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
    return {
      ...status,
      detail: join(status.detail, notes),
      pendingWrites,
      maxPendingWrites: this.maxPendingWrites,
    };
  }

  /** Queue counters since the store was made. */
  stats(): ResilientCallStoreStats {
    return this.queue.stats();
  }

  /** Resolves true once no write is queued, or false after `timeoutMs` (ms; default: no limit). Never rejects. */
  flush(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    return this.queue.whenIdle(timeoutMs);
  }

  /**
   * Flushes queued writes (retrying at once, then every min(minRetryDelayMs, 100) ms) for up to
   * closeTimeoutMs (ms), logs what is lost if that runs out, then closes the backend. Later
   * writes reject. Idempotent; rejects only if the inner store's close() does.
   */
  close(): Promise<void> {
    this.closed$ ??= this.shutdown();
    return this.closed$;
  }

  private async shutdown(): Promise<void> {
    this.queue.hurry();
    const flushed = await this.queue.whenIdle(this.closeTimeoutMs);
    this.closed = true;
    this.queue.close();
    if (!flushed) {
      this.logger?.warn({
        msg: 'Call store closed with writes still queued; they are lost',
        backend: this.backend,
        pendingWrites: this.queue.stats().pendingWrites,
        err: this.monitor.lastError,
      });
    }
    await this.inner.close?.();
  }

  private enqueue(callSid: string, write: Write): Promise<boolean> {
    if (this.closed) {
      return Promise.reject(new Error('The call store is closed'));
    }
    return this.queue.enqueue(callSid, write);
  }
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
