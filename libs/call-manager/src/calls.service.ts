import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  Optional,
} from '@nestjs/common';
import {
  CALL_HANGUP,
  CALL_MANAGER_OPTIONS,
  CALL_REGISTRY,
  CALL_STORE,
  type CallManagerOptions,
} from './call-manager.constants';
import type {
  CallEndReason,
  CallHangup,
  CallRecord,
  CallStatus,
  LiveCallControl,
  LiveCallSummary,
  ReserveResult,
  TranscriptRole,
} from './call.types';
import { Clock } from './clock.service';
import { KeyedMutex } from './keyed-mutex.util';
import { TranscriptQueue } from './transcript-queue.util';
import type { CallRegistry } from './registry/call-registry.interface';
import type { CallListQuery, CallStore } from './store/call-store.interface';

/** Twilio call statuses after which the call is over at the carrier. */
const FINAL_TWILIO_STATUSES: ReadonlySet<string> = new Set([
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
]);

/** End reasons that mark the call as failed rather than completed. */
const FAILED_REASONS: ReadonlySet<CallEndReason> = new Set<CallEndReason>([
  'error',
  'refused',
]);

/**
 * The call lifecycle: reserve → attach → transcript → end. The one thing other modules use;
 * it knows nothing of Twilio's or Gemini's wire formats.
 *
 * Steps for one call (reserve, attach, end, status) run one at a time in call order. Store writes
 * after a call exists are best effort: a failing store is logged and never ends or blocks a call.
 */
@Injectable()
export class CallsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(CallsService.name);
  private readonly lock = new KeyedMutex();
  /** Audio carriers attached in this process. */
  private readonly controls = new Map<string, LiveCallControl>();
  /** Calls reserved or attached in this process (what shutdown must end). */
  private readonly localCalls = new Set<string>();
  private readonly transcripts: TranscriptQueue;

  constructor(
    @Inject(CALL_REGISTRY) private readonly registry: CallRegistry,
    @Inject(CALL_STORE) private readonly store: CallStore,
    @Inject(CALL_MANAGER_OPTIONS) private readonly options: CallManagerOptions,
    private readonly clock: Clock,
    @Optional()
    @Inject(CALL_HANGUP)
    private readonly hangup?: CallHangup,
  ) {
    this.transcripts = new TranscriptQueue(store, this.logger);
  }

  /**
   * Takes a slot for a new call (capacity: maxConcurrentCalls) and creates its record.
   * 'duplicate' when the CallSid is live or already has a record. Rejects (releasing the slot)
   * only if the registry or the record cannot be written.
   */
  reserve(call: {
    callSid: string;
    from: string;
    to: string;
  }): Promise<ReserveResult> {
    const { callSid, from, to } = call;
    return this.lock.run(callSid, async () => {
      const summary: LiveCallSummary = {
        callSid,
        from,
        to,
        status: 'ringing',
        startedAt: this.now(),
      };
      const result = await this.registry.reserve(
        summary,
        this.options.maxConcurrentCalls,
      );
      if (result !== 'reserved') return result;

      let created: boolean;
      try {
        created = await this.store.create({ ...summary, transcript: [] });
      } catch (err) {
        await this.registry.remove(callSid).catch(() => false);
        throw err;
      }
      if (!created) {
        // The call has a record already: it ran (and ended) before.
        await this.registry.remove(callSid);
        return 'duplicate';
      }
      this.localCalls.add(callSid);
      return 'reserved';
    });
  }

  /**
   * Ties the call's audio carrier to it: the call becomes in-progress.
   * Resolves false, changing nothing, if the call is not live or already has a carrier
   * (a second stream for one call is refused, never doubled).
   */
  attach(
    callSid: string,
    control: LiveCallControl,
    streamSid: string,
  ): Promise<boolean> {
    return this.lock.run(callSid, async () => {
      if (this.controls.has(callSid)) return false;
      const live = await this.registry.get(callSid);
      if (!live || live.status !== 'ringing' || live.streamSid) return false;

      const answeredAt = this.now();
      const updated = await this.registry.update(callSid, {
        status: 'in-progress',
        answeredAt,
        streamSid,
      });
      if (!updated) return false;
      this.controls.set(callSid, control);
      this.localCalls.add(callSid);
      await this.updateRecord(callSid, { status: 'in-progress', answeredAt });
      return true;
    });
  }

  /**
   * Queues a transcript line. Synchronous and never throws: it is called from the audio path.
   * Lines are written to the store in order, batched per event-loop turn; failures are logged.
   */
  appendTranscript(callSid: string, role: TranscriptRole, text: string): void {
    try {
      if (!text) return;
      this.transcripts.push(callSid, { role, text, at: this.now() });
    } catch (err) {
      this.logger.error({
        callSid,
        err: errorMessage(err),
        msg: 'Could not queue a transcript line',
      });
    }
  }

  /**
   * Ends the call once: frees its slot, drops its carrier, writes pending transcript lines, then
   * the final record. A second call (or one for an unknown call) is a no-op. Never rejects.
   */
  end(callSid: string, reason: CallEndReason): Promise<void> {
    return this.lock.run(callSid, async () => {
      const control = this.controls.get(callSid);
      this.controls.delete(callSid);
      this.localCalls.delete(callSid);
      const live = await this.attempt(callSid, 'read the live call', () =>
        this.registry.get(callSid),
      );
      const removed = await this.attempt(callSid, 'free the call slot', () =>
        this.registry.remove(callSid),
      );
      if (!removed && !control) return;

      await this.transcripts.flush(callSid);
      const record = await this.attempt(callSid, 'read the record', () =>
        this.store.get(callSid),
      );
      const endedAt = this.clock.now();
      const since =
        live?.answeredAt ??
        record?.answeredAt ??
        live?.startedAt ??
        record?.startedAt;
      const measured = since
        ? Math.max(
            0,
            Math.round((endedAt.getTime() - Date.parse(since)) / 1000),
          )
        : 0;
      const status: CallStatus = FAILED_REASONS.has(reason)
        ? 'failed'
        : 'completed';
      // Twilio's own CallDuration (recorded by recordStatus) wins over our measurement.
      const durationSeconds = record?.durationSeconds ?? measured;
      await this.updateRecord(callSid, {
        status,
        endedAt: endedAt.toISOString(),
        durationSeconds,
        endReason: reason,
      });
      this.logger.log({
        callSid,
        reason,
        durationSeconds,
        msg: 'Call ended',
      });
    });
  }

  /**
   * Asks a live call to end: its carrier's `end(reason)` (or `end` here when none is attached),
   * and the carrier-side hang-up when one is provided (errors logged). Resolves once the call is
   * ended here; false if the call is not live.
   */
  async requestEnd(
    callSid: string,
    reason: CallEndReason = 'admin',
  ): Promise<boolean> {
    if (!(await this.registry.get(callSid))) return false;
    // The caller already hung up: nothing to hang up at the carrier.
    const hangingUp =
      this.hangup && reason !== 'caller-hangup'
        ? this.hangUpAtCarrier(this.hangup, callSid)
        : Promise.resolve();
    const control = this.controls.get(callSid);
    if (control) {
      try {
        await control.end(reason);
      } catch (err) {
        this.logger.error({
          callSid,
          reason,
          err: errorMessage(err),
          msg: 'The call carrier failed to end the call',
        });
      }
    }
    // Idempotent: a no-op when the carrier already ended the call through end().
    await this.end(callSid, reason);
    await hangingUp;
    return true;
  }

  /**
   * Records Twilio's status for the call (and its CallDuration, when given). A final status
   * (completed, busy, failed, no-answer, canceled) ends a call that is still live.
   */
  async recordStatus(
    callSid: string,
    twilioStatus: string,
    durationSeconds?: number,
  ): Promise<void> {
    const patch: Partial<CallRecord> = { twilioStatus };
    if (
      durationSeconds !== undefined &&
      Number.isFinite(durationSeconds) &&
      durationSeconds >= 0
    ) {
      patch.durationSeconds = Math.round(durationSeconds);
    }
    await this.lock.run(callSid, () => this.updateRecord(callSid, patch));
    if (FINAL_TWILIO_STATUSES.has(twilioStatus)) {
      await this.requestEnd(callSid, 'caller-hangup');
    }
  }

  /** Live calls, oldest first. */
  async list(): Promise<LiveCallSummary[]> {
    const calls = await this.registry.list();
    return calls.sort(
      (a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt),
    );
  }

  /** One call, live (with its transcript so far) or past. */
  async get(callSid: string): Promise<CallRecord | undefined> {
    await this.transcripts.flush(callSid);
    return this.store.get(callSid);
  }

  /** Stored calls, newest first. */
  listPast(query: CallListQuery = {}): Promise<CallRecord[]> {
    return this.store.list(query);
  }

  liveCount(): Promise<number> {
    return this.registry.count();
  }

  /** Ends every call this process holds (shutdown), then writes any pending transcript lines. */
  async endAll(reason: CallEndReason = 'shutdown'): Promise<void> {
    const callSids = new Set([...this.localCalls, ...this.controls.keys()]);
    const results = await Promise.allSettled(
      [...callSids].map((callSid) => this.requestEnd(callSid, reason)),
    );
    for (const result of results) {
      if (result.status === 'rejected') {
        this.logger.error({
          reason,
          err: errorMessage(result.reason),
          msg: 'Could not end a call',
        });
      }
    }
    await this.transcripts.drain();
  }

  /** Drains calls before Nest closes the WebSocket servers (needs enableShutdownHooks). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.endAll('shutdown');
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  private async updateRecord(
    callSid: string,
    patch: Partial<CallRecord>,
  ): Promise<void> {
    const found = await this.attempt(callSid, 'update the record', () =>
      this.store.update(callSid, patch),
    );
    if (found === false) {
      this.logger.debug({ callSid, msg: 'No record to update' });
    }
  }

  private async hangUpAtCarrier(
    hangup: CallHangup,
    callSid: string,
  ): Promise<void> {
    await this.attempt(callSid, 'hang up at the carrier', () =>
      hangup.hangUp(callSid),
    );
  }

  /** Runs a step whose failure must not stop the call's lifecycle: logs it, resolves undefined. */
  private async attempt<T>(
    callSid: string,
    what: string,
    step: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await step();
    } catch (err) {
      this.logger.error({
        callSid,
        err: errorMessage(err),
        msg: `Could not ${what}`,
      });
      return undefined;
    }
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
