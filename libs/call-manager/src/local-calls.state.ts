import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CALL_STORE } from './call-manager.constants';
import type { LiveCallControl, LiveCallSummary } from './call.types';
import { KeyedMutex } from './keyed-mutex.util';
import { TranscriptQueue } from './transcript-queue.util';
import { CALL_ROUTER } from './routing/call-router.constants';
import type { CallRouter } from './routing/call-router.interface';
import type { CallStore } from './store/call-store.interface';

/**
 * What this process holds of the live calls: the state CallRegistration, CallEndRouting and CallDrain
 * share (one instance per process, injected into each of them).
 *
 * - `lock`: one call's steps (reserve, attach, end, status) run one at a time, in call order.
 * - held calls: the calls reserved or attached here (what shutdown must end), each with the control
 *   that owns it here before its stream attaches (if any). A call whose stream attached on another
 *   instance stays held until CallDrain prunes it or its reservation is forgotten.
 * - carriers: the audio carriers attached here (a subset of the held calls, by CallSid).
 * - `transcripts`: transcript lines on their way to the store.
 */
@Injectable()
export class LocalCalls {
  /** Serialises the steps of one call (keyed by CallSid). */
  readonly lock = new KeyedMutex();
  /** Transcript lines queued for the store, written in order per call. */
  readonly transcripts: TranscriptQueue;
  private readonly carriers = new Map<string, LiveCallControl>();
  private readonly held = new Map<string, LiveCallControl | undefined>();

  constructor(
    @Inject(CALL_STORE) store: CallStore,
    @Optional()
    @Inject(CALL_ROUTER)
    private readonly router?: CallRouter,
  ) {
    this.transcripts = new TranscriptQueue(
      store,
      new Logger(TranscriptQueue.name),
    );
  }

  /** Holds a call reserved here; `control` owns it until a stream attaches. */
  holdReserved(callSid: string, control?: LiveCallControl): void {
    this.held.set(callSid, control);
  }

  /** Holds a call whose stream attached here, with its carrier. */
  holdAttached(callSid: string, carrier: LiveCallControl): void {
    this.carriers.set(callSid, carrier);
    this.held.set(callSid, carrier);
  }

  /** Whether the call's audio carrier is attached in this process. */
  hasCarrier(callSid: string): boolean {
    return this.carriers.has(callSid);
  }

  /** How many carriers are attached in this process. */
  get carrierCount(): number {
    return this.carriers.size;
  }

  /** How many calls this process holds (reserved or attached). */
  get heldCount(): number {
    return this.held.size;
  }

  /** Every call this process holds (reserved or attached), as a snapshot. */
  callSids(): string[] {
    return [...new Set([...this.held.keys(), ...this.carriers.keys()])];
  }

  /** What ends the call here: its attached carrier, else the control that owns its reservation. */
  controlOf(callSid: string): LiveCallControl | undefined {
    return this.carriers.get(callSid) ?? this.held.get(callSid);
  }

  /** Forgets the reservation (its stream went elsewhere, or its owner gave up); a carrier stays. */
  forgetReservation(callSid: string): void {
    this.held.delete(callSid);
  }

  /** Forgets the call entirely (it is ending). Returns its carrier, if one was attached here. */
  release(callSid: string): LiveCallControl | undefined {
    const carrier = this.carriers.get(callSid);
    this.carriers.delete(callSid);
    this.held.delete(callSid);
    return carrier;
  }

  /**
   * The instance holding a live call, if it is another one (only with a router: without one, every
   * call is local). A call whose carrier is attached here is held here, whatever the registry says.
   */
  remoteOwner(callSid: string, live: LiveCallSummary): string | undefined {
    const owner = live.instanceId;
    if (!this.router || !owner || owner === this.router.instanceId) {
      return undefined;
    }
    return this.carriers.has(callSid) ? undefined : owner;
  }
}
