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
import {
  ENDED_STATUSES,
  type CallEndReason,
  type CallHangup,
  type CallRecord,
  type CallStatus,
  type LiveCallControl,
  type LiveCallSummary,
  type ReserveResult,
  type TranscriptRole,
} from './call.types';
import { callMetrics } from './call.metrics';
import { Clock } from './clock.service';
import { CallEvents } from './events/call-events';
import { KeyedMutex } from './keyed-mutex.util';
import { TranscriptQueue } from './transcript-queue.util';
import type { CallRegistry } from './registry/call-registry.interface';
import { CALL_ROUTER } from './routing/call-router.constants';
import type {
  CallRouter,
  EndCallRequest,
} from './routing/call-router.interface';
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
/** How long live calls may go on after SIGTERM before they are ended. */
const DEFAULT_DRAIN_TIMEOUT_MS = 20_000;

const FAILED_REASONS: ReadonlySet<CallEndReason> = new Set<CallEndReason>([
  'error',
  'refused',
]);

/** How often requestEnd looks whether the instance holding a call has ended it. */
const END_POLL_MS = 50;

/** Default bound on one registry/store step of a call's start or end (see CallManagerOptions). */
const DEFAULT_STEP_TIMEOUT_MS = 5000;
/** Freeing a call's slot is retried after these delays (ms): a slot must never be left behind. */
const RELEASE_RETRY_DELAYS_MS = [100, 500, 2000];

/**
 * The call lifecycle: reserve → attach → transcript → end. The one thing other modules use;
 * it knows nothing of Twilio's or Gemini's wire formats.
 *
 * Steps for one call (reserve, attach, end, status) run one at a time in call order. Store writes
 * after a call exists are best effort: a failing store is logged and never ends or blocks a call.
 *
 * With several instances (a shared registry and a CALL_ROUTER), each live call is held by one
 * instance (its registry `instanceId`: the one that reserved it, then the one carrying its
 * stream); `requestEnd` on any instance reaches it. Without a router, every call is local.
 */
@Injectable()
export class CallsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(CallsService.name);
  private readonly lock = new KeyedMutex();
  /** Audio carriers attached in this process. */
  private readonly controls = new Map<string, LiveCallControl>();
  /**
   * Calls reserved or attached in this process (what shutdown must end), with the control that owns
   * the call here before its stream attaches (if any). A call whose stream attached on another
   * instance stays here until pruned (see pruneLocalCalls) or its reservation is released.
   */
  private readonly localCalls = new Map<string, LiveCallControl | undefined>();
  private readonly transcripts: TranscriptQueue;
  private draining = false;
  private pruning = false;

  constructor(
    @Inject(CALL_REGISTRY) private readonly registry: CallRegistry,
    @Inject(CALL_STORE) private readonly store: CallStore,
    @Inject(CALL_MANAGER_OPTIONS) private readonly options: CallManagerOptions,
    private readonly clock: Clock,
    @Optional()
    @Inject(CALL_HANGUP)
    private readonly hangup?: CallHangup,
    @Optional()
    @Inject(CALL_ROUTER)
    private readonly router?: CallRouter,
    @Optional() private readonly events?: CallEvents,
  ) {
    this.transcripts = new TranscriptQueue(store, this.logger);
    if (
      router &&
      registry.instanceId !== undefined &&
      registry.instanceId !== router.instanceId
    ) {
      throw new Error(
        `CallsService: the registry (instance ${registry.instanceId}) and the router (instance ${router.instanceId}) must share one instance id`,
      );
    }
    router?.onEndRequest((request) => this.onEndRequest(request));
  }

  /**
   * Takes a slot for a new call (capacity: maxConcurrentCalls) and creates its record.
   * 'duplicate' when the CallSid is live or already has a record. Rejects (releasing the slot)
   * only if the registry or the record cannot be written.
   *
   * `control`: what owns the call in this process from now on (the media gateway's call
   * lifecycle); until a stream attaches, ending the call here goes through its `end(reason)`.
   */
  reserve(
    call: {
      callSid: string;
      from: string;
      to: string;
    },
    control?: LiveCallControl,
  ): Promise<ReserveResult> {
    const { callSid, from, to } = call;
    if (this.draining) return Promise.resolve('unavailable');
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
      this.localCalls.set(callSid, control);
      if (this.localCalls.size > this.options.maxConcurrentCalls) {
        void this.pruneLocalCalls();
      }
      return 'reserved';
    });
  }

  /**
   * Ties the call's audio carrier to it: the call becomes in-progress, held by this instance.
   * Resolves false, changing nothing, if the call is not live or already has a carrier here or on
   * any other instance (a second stream for one call is refused, never doubled).
   */
  attach(
    callSid: string,
    control: LiveCallControl,
    streamSid: string,
  ): Promise<boolean> {
    return this.lock.run(callSid, async () => {
      if (this.controls.has(callSid)) return false;
      const answeredAt = this.now();
      // One atomic compare-and-set in the (possibly shared) registry.
      const claimed = await this.registry.claimStream(callSid, streamSid, {
        status: 'in-progress',
        answeredAt,
      });
      if (!claimed) return false;
      this.controls.set(callSid, control);
      this.localCalls.set(callSid, control);
      await this.updateRecord(callSid, { status: 'in-progress', answeredAt });
      const live = await this.registry.get(callSid).catch(() => undefined);
      this.events?.emit('call.started', {
        callSid,
        from: live?.from ?? '',
        to: live?.to ?? '',
        at: answeredAt,
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
      this.transcripts.push(callSid, entry);
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
    return this.lock.run(callSid, () => this.finish(callSid, reason, false));
  }

  /**
   * The owner of a reservation gives up waiting for its media stream. Ends the call with reason
   * `stream-never-started` unless its stream was claimed meanwhile (here or on another instance),
   * in which case it only forgets the reservation. Resolves true when it ended the call. Never rejects.
   */
  expireReservation(callSid: string): Promise<boolean> {
    return this.lock.run(callSid, async () => {
      this.localCalls.delete(callSid);
      if (this.controls.has(callSid)) return false;
      const live = await this.attempt(callSid, 'read the live call', () =>
        this.registry.get(callSid),
      );
      if (live?.streamSid || (live && this.remoteOwner(callSid, live))) {
        return false;
      }
      await this.finish(callSid, 'stream-never-started', false);
      return true;
    });
  }

  /**
   * Asks a live call to end, wherever it is held.
   * - Held here: its carrier's `end(reason)` (or `end` here when none is attached), and the
   *   carrier-side hang-up when one is provided (errors logged).
   * - Held by another instance: asks that instance (through the router) and waits up to the
   *   router's `endTimeoutMs` for the call to leave the registry. If that instance is gone or does
   *   not answer in time, hangs up at the carrier and finishes the call here.
   * - Not live, but its record still says it is (the instance holding it died and it expired
   *   from the registry): hangs up at the carrier and finishes the record here.
   * Resolves true once the call has ended; false if there was no live call to end.
   */
  async requestEnd(
    callSid: string,
    reason: CallEndReason = 'admin',
  ): Promise<boolean> {
    const live = await this.registry.get(callSid);
    if (!live) {
      return this.endForGoneOwner(
        callSid,
        reason,
        'Call live in its record but held by no instance; ending it here',
      );
    }
    const owner = this.remoteOwner(callSid, live);
    if (owner && this.router) {
      await this.endRemote(this.router, owner, callSid, reason);
    } else {
      await this.endHere(callSid, reason);
    }
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
    await withDeadline(
      this.transcripts.flush(callSid),
      this.stepTimeoutMs,
      'write pending transcript lines',
    );
    return withDeadline(
      this.store.get(callSid),
      this.stepTimeoutMs,
      'read the record',
    );
  }

  /** Stored calls, newest first. */
  listPast(query: CallListQuery = {}): Promise<CallRecord[]> {
    return this.store.list(query);
  }

  liveCount(): Promise<number> {
    return this.registry.count();
  }

  /**
   * Ends every call this process holds (shutdown), then writes any pending transcript lines.
   * Calls reserved here whose stream went to another instance are left to it.
   */
  async endAll(reason: CallEndReason = 'shutdown'): Promise<void> {
    const callSids = new Set([
      ...this.localCalls.keys(),
      ...this.controls.keys(),
    ]);
    const results = await Promise.allSettled(
      [...callSids].map((callSid) => this.endIfHeldHere(callSid, reason)),
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
  /** True once shutdown has begun: no new calls, live calls get the drain period. */
  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Graceful shutdown (SIGTERM): stop taking calls, give the live ones up to `drainTimeoutMs` to
   * finish, then end the rest with reason `shutdown`, their records written. Nest closes the HTTP and
   * WebSocket servers only after this resolves, so streams keep flowing meanwhile.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    const drainMs = this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    const deadline = Date.now() + drainMs;
    if (this.controls.size > 0) {
      this.logger.log({
        msg: 'Draining live calls before shutdown',
        calls: this.controls.size,
        drainMs,
      });
    }
    while (this.controls.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.endAll('shutdown');
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  /**
   * end()'s steps, run under the call's lock. `orphan`: also finish a call that is no longer
   * live (its instance is gone) but whose record still says it is.
   */
  private async finish(
    callSid: string,
    reason: CallEndReason,
    orphan: boolean,
  ): Promise<void> {
    const control = this.controls.get(callSid);
    this.controls.delete(callSid);
    this.localCalls.delete(callSid);
    const live = await this.attempt(callSid, 'read the live call', () =>
      this.registry.get(callSid),
    );
    const removed = await this.attempt(
      callSid,
      'free the call slot',
      () => this.registry.remove(callSid),
      RELEASE_RETRY_DELAYS_MS,
    );
    if (!removed && !control && !orphan) return;

    await this.attempt(callSid, 'write the last transcript lines', () =>
      this.transcripts.flush(callSid),
    );
    const record = await this.attempt(callSid, 'read the record', () =>
      this.store.get(callSid),
    );
    if (
      !removed &&
      !control &&
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
    this.logger.log({
      callSid,
      reason,
      durationSeconds,
      msg: 'Call ended',
    });
    callMetrics.ended.inc({ reason });
    if (this.events) {
      const final = await this.attempt(callSid, 'read the final record', () =>
        this.store.get(callSid),
      );
      this.events.emit('call.ended', {
        callSid,
        reason,
        durationSeconds,
        record: final,
      });
    }
  }

  /**
   * The instance holding a live call, if it is another one (only with a router: without one,
   * every call is local). A call whose carrier is attached here is held here.
   */
  private remoteOwner(
    callSid: string,
    live: LiveCallSummary,
  ): string | undefined {
    const owner = live.instanceId;
    if (!this.router || !owner || owner === this.router.instanceId) {
      return undefined;
    }
    return this.controls.has(callSid) ? undefined : owner;
  }

  /** Ends a call held by this instance: through its carrier if attached, hanging up at Twilio. */
  private async endHere(callSid: string, reason: CallEndReason): Promise<void> {
    const hangingUp = this.hangUpUnlessCallerHungUp(callSid, reason);
    const control =
      this.controls.get(callSid) ?? this.localCalls.get(callSid);
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
  }

  /** Asks `owner` to end the call; ends it here if the owner is gone or does not in time. */
  private async endRemote(
    router: CallRouter,
    owner: string,
    callSid: string,
    reason: CallEndReason,
  ): Promise<void> {
    let delivered = false;
    try {
      delivered = await router.sendEndRequest(owner, { callSid, reason });
    } catch (err) {
      this.logger.error({
        callSid,
        owner,
        err: errorMessage(err),
        msg: 'Could not ask the instance holding the call to end it',
      });
    }
    if (delivered && (await this.leftRegistry(callSid, router.endTimeoutMs))) {
      return;
    }
    await this.endForGoneOwner(
      callSid,
      reason,
      delivered
        ? `Instance ${owner} did not end the call in time; ending it here`
        : `Instance ${owner} holding the call is gone; ending it here`,
    );
  }

  /** Whether the call leaves the registry within `timeoutMs` (looking every END_POLL_MS). */
  private async leftRegistry(
    callSid: string,
    timeoutMs: number,
  ): Promise<boolean> {
    for (let waited = 0; waited < timeoutMs; waited += END_POLL_MS) {
      await new Promise((resolve) => setTimeout(resolve, END_POLL_MS));
      try {
        if (!(await this.registry.get(callSid))) return true;
      } catch {
        // Registry unreachable for now: keep waiting.
      }
    }
    return false;
  }

  /**
   * Ends, here, a call whose instance is gone (or does not answer): hangs up at the carrier and
   * finishes the registry entry and the record. False, doing nothing, if the call is neither live
   * nor live in its record.
   */
  private async endForGoneOwner(
    callSid: string,
    reason: CallEndReason,
    why: string,
  ): Promise<boolean> {
    let hangingUp = Promise.resolve();
    const ended = await this.lock.run(callSid, async () => {
      const live = await this.attempt(callSid, 'read the live call', () =>
        this.registry.get(callSid),
      );
      const record = await this.attempt(callSid, 'read the record', () =>
        this.store.get(callSid),
      );
      if (!live && (!record || ENDED_STATUSES.has(record.status))) {
        return false;
      }
      this.logger.warn({ callSid, reason, owner: live?.instanceId, msg: why });
      hangingUp = this.hangUpUnlessCallerHungUp(callSid, reason);
      await this.finish(callSid, reason, true);
      return true;
    });
    await hangingUp;
    return ended;
  }

  /** An end request from another instance: ends the call if it is held here, never re-routes. */
  private async onEndRequest({
    callSid,
    reason,
  }: EndCallRequest): Promise<void> {
    try {
      const live = await this.registry.get(callSid);
      if (!live) return;
      const owner = this.remoteOwner(callSid, live);
      if (owner) {
        this.logger.warn({
          callSid,
          owner,
          msg: 'End request for a call held by another instance; ignored',
        });
        return;
      }
      await this.endHere(callSid, reason);
    } catch (err) {
      this.logger.error({
        callSid,
        reason,
        err: errorMessage(err),
        msg: 'Could not end a call at the request of another instance',
      });
    }
  }

  /** Shutdown: ends a call unless another instance holds it (its stream attached there). */
  private async endIfHeldHere(
    callSid: string,
    reason: CallEndReason,
  ): Promise<void> {
    const live = await this.attempt(callSid, 'read the live call', () =>
      this.registry.get(callSid),
    );
    if (live && this.remoteOwner(callSid, live)) {
      this.localCalls.delete(callSid);
      return;
    }
    if (!live && !this.controls.has(callSid) && !this.localCalls.get(callSid))
      return;
    await this.endHere(callSid, reason);
  }

  /**
   * Forgets local calls now held by another instance or no longer live. This instance can hold no
   * more live calls than maxConcurrentCalls, so more local calls than that means some went to
   * other instances (their streams attached there): runs then, keeping the set bounded.
   */
  private async pruneLocalCalls(): Promise<void> {
    if (this.pruning) return;
    this.pruning = true;
    try {
      for (const callSid of [...this.localCalls.keys()]) {
        if (this.controls.has(callSid)) continue;
        const live = await this.registry.get(callSid);
        if (!live || this.remoteOwner(callSid, live)) {
          this.localCalls.delete(callSid);
        }
      }
    } catch (err) {
      this.logger.debug({
        err: errorMessage(err),
        msg: 'Could not prune local calls',
      });
    } finally {
      this.pruning = false;
    }
  }

  /** Hangs up at the carrier (errors logged), unless the caller already hung up. */
  private hangUpUnlessCallerHungUp(
    callSid: string,
    reason: CallEndReason,
  ): Promise<void> {
    // The caller already hung up: nothing to hang up at the carrier.
    if (!this.hangup || reason === 'caller-hangup') return Promise.resolve();
    return this.hangUpAtCarrier(this.hangup, callSid);
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

  /**
   * Runs a step whose failure must not stop the call's lifecycle: a rejection, or no answer within
   * `stepTimeoutMs`, is logged and retried after each of `retryDelaysMs`; then resolves undefined.
   */
  private async attempt<T>(
    callSid: string,
    what: string,
    step: () => Promise<T>,
    retryDelaysMs: readonly number[] = [],
  ): Promise<T | undefined> {
    for (let tried = 0; ; tried++) {
      try {
        return await withDeadline(step(), this.stepTimeoutMs, what);
      } catch (err) {
        this.logger.error({
          callSid,
          err: errorMessage(err),
          msg: `Could not ${what}`,
        });
        const delay = retryDelaysMs[tried];
        if (delay === undefined) return undefined;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private get stepTimeoutMs(): number {
    return this.options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  }
}

/** `promise`, or a rejection once `ms` have passed without it settling. */
function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${ms} ms (${what})`)),
      ms,
    );
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
