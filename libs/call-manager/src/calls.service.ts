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
  AnsweredBy,
  CallEndReason,
  CallHangup,
  CallRecord,
  CallTokenUsage,
  CallTransfer,
  LiveCallControl,
  LiveCallSummary,
  NewCall,
  ReserveResult,
  TranscriptRole,
  TurnLatency,
} from './call.types';
import { CallDrain } from './call-drain.service';
import { CallEndRouting } from './call-end.routing';
import { CallRegistration } from './call-registration.service';
import { Clock } from './clock.service';
import { CallEvents } from './events/call-events';
import { LocalCalls } from './local-calls.state';
import {
  PENDING_SLOT_PREFIX,
  PendingCallSlot,
  pendingSlotSteps,
} from './pending-call-slot';
import type { CallRegistry } from './registry/call-registry.interface';
import { CALL_ROUTER } from './routing/call-router.constants';
import type { CallRouter } from './routing/call-router.interface';
import type { CallListQuery, CallStore } from './store/call-store.interface';

/**
 * The call lifecycle: reserve → attach → transcript → end. The one thing other modules use;
 * it knows nothing of Twilio's or Gemini's wire formats.
 *
 * A facade over the call manager's parts, which share one LocalCalls:
 * - CallRegistration: one call's steps in this process, and the reads;
 * - CallEndRouting: ending a call wherever it is held (other instances through a CALL_ROUTER);
 * - CallDrain: graceful shutdown, run from this class's `beforeApplicationShutdown`.
 *
 * In CallManagerModule, Nest hands the parts in. Constructed by hand (tests, scripts) with only
 * the backends, it builds its own set of parts from them.
 */
@Injectable()
export class CallsService implements BeforeApplicationShutdown {
  private readonly lifecycle: CallRegistration;
  private readonly routing: CallEndRouting;
  private readonly drain: CallDrain;
  private readonly logger = new Logger(CallsService.name);
  /** Usage is written straight to the store (recordUsage). */
  private readonly store: CallStore;
  /** Outbound slots (holdSlot) are taken in the registry directly. */
  private readonly slots: {
    registry: CallRegistry;
    options: CallManagerOptions;
    clock: Clock;
  };

  /**
   * Nest passes the parts; by hand, pass the backends only (the signature CallsService always had).
   * Throws (from CallEndRouting) if the registry and the router speak for different instances.
   */
  constructor(
    @Inject(CALL_REGISTRY) registry: CallRegistry,
    @Inject(CALL_STORE) store: CallStore,
    @Inject(CALL_MANAGER_OPTIONS) options: CallManagerOptions,
    clock: Clock,
    @Optional() @Inject(CALL_HANGUP) hangup?: CallHangup,
    @Optional() @Inject(CALL_ROUTER) router?: CallRouter,
    @Optional() events?: CallEvents,
    @Optional() lifecycle?: CallRegistration,
    @Optional() routing?: CallEndRouting,
    @Optional() drain?: CallDrain,
  ) {
    this.slots = { registry, options, clock };
    this.store = store;
    if (lifecycle && routing && drain) {
      this.lifecycle = lifecycle;
      this.routing = routing;
      this.drain = drain;
      return;
    }
    const local = new LocalCalls(store, router);
    this.lifecycle = new CallRegistration(
      local,
      registry,
      store,
      options,
      clock,
      events,
    );
    this.routing = new CallEndRouting(
      local,
      this.lifecycle,
      registry,
      store,
      options,
      hangup,
      router,
    );
    this.drain = new CallDrain(local, this.routing, registry, options);
  }

  /**
   * Takes a slot for a new call (capacity: maxConcurrentCalls) and creates its record. Resolves
   * 'reserved'; 'duplicate' when the CallSid is live or already has a record; 'at-capacity' when no
   * slot is free; 'unavailable' once shutdown has begun. Rejects (releasing the slot) only if the
   * registry or the record cannot be written.
   *
   * `control`: what owns the call in this process from now on (the media gateway's call
   * lifecycle); until a stream attaches, ending the call here goes through its `end(reason)`.
   */
  async reserve(
    call: NewCall,
    control?: LiveCallControl,
  ): Promise<ReserveResult> {
    if (this.drain.isDraining) return 'unavailable';
    const result = await this.lifecycle.reserve(call, control);
    if (result === 'reserved') this.drain.pruneIfOverfull();
    return result;
  }

  /**
   * Outbound calls: takes a slot of capacity before the carrier has named the call (see
   * PendingCallSlot), so a call is only placed when a slot is free. Resolves the slot (claim it with
   * the CallSid once the carrier answers, or release it), 'at-capacity', or 'unavailable' once
   * shutdown has begun. Rejects if the registry does.
   */
  async holdSlot(
    call: Omit<NewCall, 'callSid'>,
  ): Promise<PendingCallSlot | 'at-capacity' | 'unavailable'> {
    if (this.drain.isDraining) return 'unavailable';
    const { registry, options, clock } = this.slots;
    return PendingCallSlot.hold(
      registry,
      options.maxConcurrentCalls,
      call,
      (named, control, headroom) =>
        this.lifecycle.reserve(named, control, headroom),
      pendingSlotSteps(options),
      clock.now().toISOString(),
    );
  }

  /**
   * Records who answered an outbound call (answering-machine detection's verdict) on the live call
   * and its record. Never rejects on a store or registry failure (logged).
   */
  recordAnsweredBy(callSid: string, answeredBy: AnsweredBy): Promise<void> {
    return this.lifecycle.recordAnsweredBy(callSid, answeredBy);
  }

  /**
   * Stores the call's agent token usage (`usage` on its record). Queued behind the call's earlier
   * writes, so one made before `end` is in the final record. Never rejects (a failure is logged).
   */
  async recordUsage(callSid: string, usage: CallTokenUsage): Promise<void> {
    try {
      await this.store.update(callSid, { usage });
    } catch (err) {
      this.logger.warn({
        callSid,
        msg: 'Could not store the call token usage',
        err: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /**
   * Stores the call's transfers (`transfers` on its record, the whole list each time). Queued behind
   * the call's earlier writes. Never rejects (a failure is logged).
   */
  async recordTransfers(
    callSid: string,
    transfers: CallTransfer[],
  ): Promise<void> {
    try {
      await this.store.update(callSid, { transfers });
    } catch (err) {
      this.logger.warn({
        callSid,
        msg: 'Could not store the call transfers',
        err: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /**
   * Stores the call's per-turn latencies (`turnLatencies` on its record: `[{at, ms}]`, ms from the
   * caller's end of speech to the first agent audio). Queued like recordUsage, so one made before
   * `end` is in the final record. Never rejects (a failure is logged).
   */
  async recordTurnLatencies(
    callSid: string,
    turnLatencies: TurnLatency[],
  ): Promise<void> {
    try {
      await this.store.update(callSid, { turnLatencies });
    } catch (err) {
      this.logger.warn({
        callSid,
        msg: 'Could not store the call turn latencies',
        err: err instanceof Error ? err.message : String(err),
      });
    }
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
    return this.lifecycle.attach(callSid, control, streamSid);
  }

  /**
   * Queues a transcript line. Synchronous and never throws: it is called from the audio path.
   * Lines are written to the store in order, batched per event-loop turn; failures are logged.
   */
  appendTranscript(callSid: string, role: TranscriptRole, text: string): void {
    this.lifecycle.appendTranscript(callSid, role, text);
  }

  /**
   * Ends the call once: frees its slot, drops its carrier, writes pending transcript lines, then
   * the final record. A second call (or one for an unknown call) is a no-op. Never rejects; each
   * registry/store step waits at most stepTimeoutMs (ms).
   */
  end(callSid: string, reason: CallEndReason): Promise<void> {
    return this.lifecycle.end(callSid, reason);
  }

  /**
   * The owner of a reservation gives up waiting for its media stream. Ends the call with reason
   * `stream-never-started` unless its stream was claimed meanwhile (here or on another instance),
   * in which case it only forgets the reservation. Resolves true when it ended the call. Never rejects.
   */
  expireReservation(callSid: string): Promise<boolean> {
    return this.lifecycle.expireReservation(callSid);
  }

  /**
   * Asks a live call to end, wherever it is held (see CallEndRouting.requestEnd): here through its
   * control, elsewhere through the router (waiting up to the router's endTimeoutMs, in ms), or
   * here when the instance holding it is gone. Resolves true once the call has ended; false if
   * there was no live call to end. Rejects only if the registry cannot be read at the start.
   */
  requestEnd(
    callSid: string,
    reason: CallEndReason = 'admin',
  ): Promise<boolean> {
    return this.routing.requestEnd(callSid, reason);
  }

  /**
   * Records Twilio's status for the call (and its CallDuration in seconds, when given). A final
   * status (completed, busy, failed, no-answer, canceled) ends a call that is still live, with
   * reason `caller-hangup` (no hang-up at the carrier). Resolves once done.
   */
  async recordStatus(
    callSid: string,
    twilioStatus: string,
    durationSeconds?: number,
  ): Promise<void> {
    const over = await this.lifecycle.recordStatus(
      callSid,
      twilioStatus,
      durationSeconds,
    );
    if (over) await this.routing.requestEnd(callSid, 'caller-hangup');
  }

  /**
   * Live calls, oldest first; slots held for calls still being placed (holdSlot) are not calls yet.
   * Rejects if the registry does.
   */
  async list(): Promise<LiveCallSummary[]> {
    const calls = await this.lifecycle.list();
    return calls.filter((c) => !c.callSid.startsWith(PENDING_SLOT_PREFIX));
  }

  /**
   * One call, live (with its transcript so far) or past; undefined if unknown. Rejects if the store
   * fails or does not answer within stepTimeoutMs (ms).
   */
  get(callSid: string): Promise<CallRecord | undefined> {
    return this.lifecycle.get(callSid);
  }

  /** Stored calls, newest first. Rejects if the store does. */
  listPast(query: CallListQuery = {}): Promise<CallRecord[]> {
    return this.lifecycle.listPast(query);
  }

  /** How many calls are live (across instances when the registry is shared). */
  liveCount(): Promise<number> {
    return this.lifecycle.liveCount();
  }

  /**
   * Ends every call this process holds (shutdown), then writes any pending transcript lines.
   * Calls reserved here whose stream went to another instance are left to it. Never rejects.
   */
  endAll(reason: CallEndReason = 'shutdown'): Promise<void> {
    return this.drain.endAll(reason);
  }

  /** True once shutdown has begun: no new calls, live calls get the drain period. */
  get isDraining(): boolean {
    return this.drain.isDraining;
  }

  /**
   * Graceful shutdown (SIGTERM; needs enableShutdownHooks): stop taking calls, give the live ones
   * up to `drainTimeoutMs` (ms) to finish, then end the rest with reason `shutdown`, their records
   * written. Nest closes the HTTP and WebSocket servers only after this resolves, so streams keep
   * flowing meanwhile. The drain runs once, however often this is called. Never rejects.
   */
  beforeApplicationShutdown(): Promise<void> {
    return this.drain.drain();
  }
}
