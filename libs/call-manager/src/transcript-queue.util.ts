import type { Logger } from '@nestjs/common';
import { callMetrics } from './call.metrics';
import type { TranscriptEntry } from './call.types';
import type { CallStore } from './store/call-store.interface';

/**
 * Transcript lines on their way to the store: queued synchronously, written in batches once per
 * event-loop turn, one write at a time per call (so order holds), failures logged and dropped.
 */
export class TranscriptQueue {
  /** Lines not yet handed to the store, per call. */
  private readonly pending = new Map<string, TranscriptEntry[]>();
  /** When each call's oldest pending line was queued (performance.now()), for the lag metric. */
  private readonly queuedAt = new Map<string, number>();
  /** The last write per call; the next one chains on it. */
  private readonly writes = new Map<string, Promise<void>>();
  private flushScheduled = false;

  constructor(
    private readonly store: CallStore,
    private readonly logger: Logger,
  ) {}

  push(callSid: string, entry: TranscriptEntry): void {
    const queue = this.pending.get(callSid);
    if (queue) queue.push(entry);
    else {
      this.pending.set(callSid, [entry]);
      this.queuedAt.set(callSid, performance.now());
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushAll());
    }
  }

  /** Hands the call's pending lines to the store; resolves when all its writes so far are done. */
  flush(callSid: string): Promise<void> {
    const previous = this.writes.get(callSid);
    const entries = this.pending.get(callSid);
    if (!entries) return previous ?? Promise.resolve();
    this.pending.delete(callSid);
    const queuedAt = this.queuedAt.get(callSid) ?? performance.now();
    this.queuedAt.delete(callSid);

    const write = (previous ?? Promise.resolve())
      .then(() => this.store.appendTranscript(callSid, entries))
      .then(
        (found) => {
          callMetrics.transcriptWriteLag.observe(
            (performance.now() - queuedAt) / 1000,
          );
          if (found) return;
          this.logger.warn({
            callSid,
            dropped: entries.length,
            msg: 'Transcript lines for an unknown call were dropped',
          });
        },
        (err) => {
          this.logger.error({
            callSid,
            dropped: entries.length,
            err: err instanceof Error ? err.message : String(err),
            msg: 'Could not write transcript lines',
          });
        },
      );
    this.writes.set(callSid, write);
    void write.then(() => {
      if (this.writes.get(callSid) === write) this.writes.delete(callSid);
    });
    return write;
  }

  /** Writes everything pending, for every call, and waits for it. */
  async drain(): Promise<void> {
    const callSids = new Set([...this.pending.keys(), ...this.writes.keys()]);
    await Promise.all([...callSids].map((callSid) => this.flush(callSid)));
  }

  private flushAll(): void {
    this.flushScheduled = false;
    for (const callSid of [...this.pending.keys()]) void this.flush(callSid);
  }
}
