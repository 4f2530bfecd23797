import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  CALL_MANAGER_OPTIONS,
  CALL_REGISTRY,
  CALL_STORE,
  type CallManagerOptions,
} from './call-manager.constants';
import {
  ENDED_STATUSES,
  type AnsweredBy,
  type CallEndReason,
  type CallRecord,
  type CallStatus,
  type LiveCallControl,
  type LiveCallSummary,
  type NewCall,
  type ReserveResult,
  type TranscriptRole,
} from './call.types';
import { callMetrics } from './call.metrics';
import { CallSteps, errorMessage } from './call-steps.util';
import { Clock } from './clock.service';
import { CallEvents } from './events/call-events';
import { LocalCalls } from './local-calls.state';
import type { CallRegistry } from './registry/call-registry.interface';
import type { CallListQuery, CallStore } from './store/call-store.interface';

/** Twilio call statuses after which the call is over at the carrier. */
export const FINAL_TWILIO_STATUSES: ReadonlySet<string> = new Set([
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

/** Freeing a call's slot is retried after these delays (ms): a slot must never be left behind. */
const RELEASE_RETRY_DELAYS_MS = [100, 500, 2000];

/**
 * One call's steps in this process: reserve → attach → transcript → end, plus the reads (live
 * calls, records). Knows nothing of other instances (CallEndRouting) or of shutdown (CallDrain).
 *
 * Steps for one call run one at a time in call order (LocalCalls' lock). Store writes after a call
 * exists are best effort: a failing or silent store is logged and never ends or blocks a call.
 */
@Injectable()
export class CallRegistration {
  private readonly logger = new Logger(CallRegistration.name);
  private readonly steps: CallSteps;

  constructor(
    private readonly local: LocalCalls,
    @Inject(CALL_REGISTRY) private readonly registry: CallRegistry,
    @Inject(CALL_STORE) private readonly store: CallStore,
    @Inject(CALL_MANAGER_OPTIONS) private readonly options: CallManagerOptions,
    private readonly clock: Clock,
    @Optional() private readonly events?: CallEvents,
  ) {
    this.steps = new CallSteps(this.logger, options);
  }

  /**
   * Takes a slot (capacity: maxConcurrentCalls) and creates the ringing record; the call is then
   * held here, owned by `control` until a stream attaches. Resolves 'duplicate' when the CallSid is
   * live or already has a record, 'at-capacity' when no slot is free. Rejects (releasing the slot)
   * only if the registry or the record cannot be written. `headroom`: extra slots it may take (1 while
   * the call's own PendingCallSlot still counts).
   */
  reserve(
    call: NewCall,
    control?: LiveCallControl,
    headroom = 0,
  ): Promise<ReserveResult> {
    const { callSid, from, to, direction = 'inbound' } = call;
    return this.local.lock.run(callSid, async () => {
      const summary: LiveCallSummary = {
        callSid,
        from,
        to,
        direction,
        status: 'ringing',
        startedAt: this.now(),
      };
      const result = await this.registry.reserve(
        summary,
        this.options.maxConcurrentCalls + headroom,
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
      this.local.holdReserved(callSid, control);
      return 'reserved';
    });
  }

  /**
   * Ties the call's audio carrier to it: the call becomes in-progress, held by this instance.
   * Resolves true when attached; false, changing nothing, if the call is not live or already has a
   * carrier here or on any other instance (a second stream for one call is refused, never doubled).
   */
  attach(
    callSid: string,
    control: LiveCallControl,
    streamSid: string,
  ): Promise<boolean> {
    return this.local.lock.run(callSid, async () => {
      if (this.local.hasCarrier(callSid)) return false;
      const answeredAt = this.now();
      // One atomic compare-and-set in the (possibly shared) registry.
      // Bounded: a registry that stops answering fails this attach (the call ends with `error`)
      // instead of pinning the call's lock, and with it its end.
      const claimed = await this.steps.bounded(
        this.registry.claimStream(callSid, streamSid, {
          status: 'in-progress',
          answeredAt,
        }),
        'claim the stream',
      );
      if (!claimed) return false;
      this.local.holdAttached(callSid, control);
      await this.updateRecord(callSid, { status: 'in-progress', answeredAt });
      const live = await this.steps
        .bounded(this.registry.get(callSid), 'read the live call')
        .catch(() => undefined);
      this.events?.emit('call.started', {
        callSid,
        from: live?.from ?? '',
        to: live?.to ?? '',
        at: answeredAt,
        direction: live?.direction,
      });
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
      const entry = { role, text, at: this.now() };
      this.local.transcripts.push(callSid, entry);
      this.events?.emit('transcript.appended', { callSid, entry });
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
    return this.local.lock.run(callSid, () =>
      this.finish(callSid, reason, false),
    );
  }

  /**
   * The owner of a reservation gives up waiting for its media stream. Ends the call with reason
   * `stream-never-started` unless its stream was claimed meanwhile (here or on another instance),
   * in which case it only forgets the reservation. Resolves true when it ended the call. Never rejects.
   */
  expireReservation(callSid: string): Promise<boolean> {
    return this.local.lock.run(callSid, async () => {
      this.local.forgetReservation(callSid);
      if (this.local.hasCarrier(callSid)) return false;
      const live = await this.steps.attempt(callSid, 'read the live call', () =>
        this.registry.get(callSid),
      );
      if (live?.streamSid || (live && this.local.remoteOwner(callSid, live))) {
        return false;
      }
      await this.finish(callSid, 'stream-never-started', false);
      return true;
    });
  }

  /**
   * Records Twilio's status for the call (and its CallDuration in seconds, when given). Resolves
   * true when the status is final (completed, busy, failed, no-answer, canceled): the call is over
   * at the carrier and should be ended wherever it is held. Never rejects on a store failure.
   */
  async recordStatus(
    callSid: string,
    twilioStatus: string,
    durationSeconds?: number,
  ): Promise<boolean> {
    const patch: Partial<CallRecord> = { twilioStatus };
    if (
      durationSeconds !== undefined &&
      Number.isFinite(durationSeconds) &&
      durationSeconds >= 0
    ) {
      patch.durationSeconds = Math.round(durationSeconds);
    }
    await this.local.lock.run(callSid, () => this.updateRecord(callSid, patch));
    return FINAL_TWILIO_STATUSES.has(twilioStatus);
  }

  /** Records who answered an outbound call (AMD's verdict) on the live call and its record. */
  recordAnsweredBy(callSid: string, answeredBy: AnsweredBy): Promise<void> {
    return this.local.lock.run(callSid, async () => {
      const live = () => this.registry.update(callSid, { answeredBy });
      await this.steps.attempt(callSid, 'update the live call', live);
      await this.updateRecord(callSid, { answeredBy });
    });
  }

  /**
   * end()'s steps. The caller holds the call's lock (LocalCalls.lock). `orphan`: also finish a call
   * that is no longer live (its instance is gone) but whose record still says it is. Never rejects.
   */
  async finish(
    callSid: string,
    reason: CallEndReason,
    orphan: boolean,
  ): Promise<void> {
    const carrier = this.local.release(callSid);
    const live = await this.steps.attempt(callSid, 'read the live call', () =>
      this.registry.get(callSid),
    );
    const removed = await this.steps.attempt(
      callSid,
      'free the call slot',
      () => this.registry.remove(callSid),
      RELEASE_RETRY_DELAYS_MS,
    );
    if (!removed && !carrier && !orphan) return;

    await this.steps.attempt(callSid, 'write the last transcript lines', () =>
      this.local.transcripts.flush(callSid),
    );
    const record = await this.steps.attempt(callSid, 'read the record', () =>
      this.store.get(callSid),
    );
    if (
      !removed &&
      !carrier &&
      (!record || ENDED_STATUSES.has(record.status))
    ) {
      return;
    }
    const endedAt = this.clock.now();
    const since =
      live?.answeredAt ??
      record?.answeredAt ??
      live?.startedAt ??
      record?.startedAt;
    const measured = since
      ? Math.max(0, Math.round((endedAt.getTime() - Date.parse(since)) / 1000))
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
    this.logger.log({ callSid, reason, durationSeconds, msg: 'Call ended' });
    callMetrics.ended.inc({ reason });
    if (this.events) {
      const final = await this.steps.attempt(
        callSid,
        'read the final record',
        () => this.store.get(callSid),
      );
      this.events.emit('call.ended', {
        callSid,
        reason,
        durationSeconds,
        record: final,
      });
    }
  }

  /** Live calls (across instances when the registry is shared), oldest first. */
  async list(): Promise<LiveCallSummary[]> {
    const calls = await this.registry.list();
    return calls.sort(
      (a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt),
    );
  }

  /**
   * One call, live (with its transcript so far) or past; undefined if unknown. Rejects if the store
   * fails or does not answer within stepTimeoutMs (ms).
   */
  async get(callSid: string): Promise<CallRecord | undefined> {
    await this.steps.bounded(
      this.local.transcripts.flush(callSid),
      'write pending transcript lines',
    );
    return this.steps.bounded(this.store.get(callSid), 'read the record');
  }

  /** Stored calls, newest first. Rejects if the store does. */
  listPast(query: CallListQuery = {}): Promise<CallRecord[]> {
    return this.store.list(query);
  }

  /** How many calls are live (across instances when the registry is shared). */
  liveCount(): Promise<number> {
    return this.registry.count();
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  private async updateRecord(
    callSid: string,
    patch: Partial<CallRecord>,
  ): Promise<void> {
    const found = await this.steps.attempt(callSid, 'update the record', () =>
      this.store.update(callSid, patch),
    );
    if (found === false) {
      this.logger.debug({ callSid, msg: 'No record to update' });
    }
  }
}
