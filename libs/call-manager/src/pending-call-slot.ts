import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type {
  LiveCallControl,
  LiveCallSummary,
  NewCall,
  ReserveResult,
} from './call.types';
import { CallSteps } from './call-steps.util';
import type { CallRegistry } from './registry/call-registry.interface';

/**
 * Registry keys of pending slots start with this; a CallSid ("CA" + 32 hex) never does, so lists of
 * live calls can leave them out while capacity still counts them.
 */
export const PENDING_SLOT_PREFIX = 'pending-';

/** Freeing a pending slot is retried after these delays (ms): a leaked one would pin capacity. */
const FREE_RETRY_DELAYS_MS = [100, 500, 2000];

/** Reserves the named call with `headroom` extra slots (CallRegistration.reserve). */
export type ReserveNamedCall = (
  call: NewCall,
  control: LiveCallControl | undefined,
  headroom: number,
) => Promise<ReserveResult>;

/**
 * One slot of capacity (MAX_CONCURRENT_CALLS) taken for an outbound call before the carrier has named
 * it: Twilio hands out the CallSid only in its answer to the REST create, which must not be sent
 * unless a slot is free. The slot sits in the registry under a placeholder key (counted by every
 * instance's reserve, left out of the live list); then either
 * - `claim()`: the call is reserved under its CallSid, allowed one slot of headroom because this
 *   placeholder still counts, and the placeholder is freed: capacity is never exceeded, not even for a
 *   moment, and no other call can take the slot in between; or
 * - `release()`: the create failed, the slot is given back.
 * Each settles the slot once; a second settle is a no-op (claim rejects).
 */
export class PendingCallSlot {
  private settled = false;

  private constructor(
    /** The placeholder's registry key (`pending-<uuid>`). */
    readonly key: string,
    private readonly registry: CallRegistry,
    private readonly reserveNamed: ReserveNamedCall,
    private readonly steps: CallSteps,
  ) {}

  /**
   * Takes a slot if fewer than `max` calls (placeholders included) are live, atomically as every
   * reserve does. Resolves the slot, or 'at-capacity'. Rejects if the registry does.
   */
  static async hold(
    registry: CallRegistry,
    max: number,
    call: Omit<NewCall, 'callSid'>,
    reserveNamed: ReserveNamedCall,
    steps: CallSteps,
    startedAt: string,
  ): Promise<PendingCallSlot | 'at-capacity'> {
    const key = `${PENDING_SLOT_PREFIX}${randomUUID()}`;
    const placeholder: LiveCallSummary = {
      callSid: key,
      from: call.from,
      to: call.to,
      direction: call.direction ?? 'outbound',
      status: 'ringing',
      startedAt,
    };
    const result = await registry.reserve(placeholder, max);
    // A fresh random key cannot be a duplicate: anything but a slot is "full".
    if (result !== 'reserved') return 'at-capacity';
    return new PendingCallSlot(key, registry, reserveNamed, steps);
  }

  /**
   * The carrier named the call: reserves `call` (its CallSid) in this slot's place, owned by
   * `control`, then frees the placeholder (whatever the reserve said). Resolves as
   * CallsService.reserve does; rejects as it does (the placeholder is freed all the same).
   */
  async claim(
    call: NewCall,
    control?: LiveCallControl,
  ): Promise<ReserveResult> {
    if (this.settled) throw new Error('This call slot was already settled');
    this.settled = true;
    try {
      return await this.reserveNamed(call, control, 1);
    } finally {
      await this.free();
    }
  }

  /** Gives the slot back (the call was never placed). Idempotent; never rejects. */
  async release(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    await this.free();
  }

  private async free(): Promise<void> {
    await this.steps.attempt(
      this.key,
      'free a pending call slot',
      () => this.registry.remove(this.key),
      FREE_RETRY_DELAYS_MS,
    );
  }
}

/** A logger-backed CallSteps for pending slots (their own context in the logs). */
export function pendingSlotSteps(
  options: ConstructorParameters<typeof CallSteps>[1],
): CallSteps {
  return new CallSteps(new Logger(PendingCallSlot.name), options);
}
