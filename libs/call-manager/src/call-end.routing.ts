import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
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
} from './call.types';
import { CallRegistration } from './call-registration.service';
import { CallSteps, errorMessage, sleep } from './call-steps.util';
import { LocalCalls } from './local-calls.state';
import type { CallRegistry } from './registry/call-registry.interface';
import { CALL_ROUTER } from './routing/call-router.constants';
import type {
  CallRouter,
  EndCallRequest,
} from './routing/call-router.interface';
import type { CallStore } from './store/call-store.interface';

/** How often requestEnd looks whether the instance holding a call has ended it (ms). */
const END_POLL_MS = 50;

/**
 * Ending a live call wherever it is held. With several instances (a shared registry and a
 * CALL_ROUTER), each live call is held by one instance (its registry `instanceId`: the one that
 * reserved it, then the one carrying its stream); `requestEnd` on any instance reaches it, and end
 * requests from other instances arrive here through the router. Without a router, every call is
 * local. Hangs up at the carrier (CALL_HANGUP, when provided) unless the caller already hung up.
 */
@Injectable()
export class CallEndRouting {
  private readonly logger = new Logger(CallEndRouting.name);
  private readonly steps: CallSteps;

  /** Throws if the registry and the router speak for different instances. */
  constructor(
    private readonly local: LocalCalls,
    private readonly lifecycle: CallRegistration,
    @Inject(CALL_REGISTRY) private readonly registry: CallRegistry,
    @Inject(CALL_STORE) private readonly store: CallStore,
    @Inject(CALL_MANAGER_OPTIONS) options: CallManagerOptions,
    @Optional()
    @Inject(CALL_HANGUP)
    private readonly hangup?: CallHangup,
    @Optional()
    @Inject(CALL_ROUTER)
    private readonly router?: CallRouter,
  ) {
    this.steps = new CallSteps(this.logger, options);
    if (
      router &&
      registry.instanceId !== undefined &&
      registry.instanceId !== router.instanceId
    ) {
      throw new Error(
        `CallEndRouting: the registry (instance ${registry.instanceId}) and the router (instance ${router.instanceId}) must share one instance id`,
      );
    }
    router?.onEndRequest((request) => this.onEndRequest(request));
  }

  /**
   * Asks a live call to end, wherever it is held.
   * - Held here: its control's `end(reason)` (the attached carrier, else the control that owns its
   *   reservation), then `end` here, and the carrier-side hang-up (errors logged).
   * - Held by another instance: asks that instance (through the router) and waits up to the
   *   router's `endTimeoutMs` (ms) for the call to leave the registry. If that instance is gone or
   *   does not answer in time, hangs up at the carrier and finishes the call here.
   * - Not live, but its record still says it is (the instance holding it died and it expired
   *   from the registry): hangs up at the carrier and finishes the record here.
   * Resolves true once the call has ended; false if there was no live call to end. Rejects only if
   * the registry cannot be read at the start.
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
    const owner = this.local.remoteOwner(callSid, live);
    if (owner && this.router) {
      await this.endRemote(this.router, owner, callSid, reason);
    } else {
      await this.endHere(callSid, reason);
    }
    return true;
  }

  /**
   * Ends a call held by this instance: through its control if it has one (failures logged), then
   * `end` (a no-op if the control already ended it), hanging up at the carrier meanwhile unless the
   * caller hung up. Resolves once the call has ended and the hang-up has settled. Never rejects.
   */
  async endHere(callSid: string, reason: CallEndReason): Promise<void> {
    const hangingUp = this.hangUpUnlessCallerHungUp(callSid, reason);
    const control = this.local.controlOf(callSid);
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
    // Idempotent: a no-op when the control already ended the call through end().
    await this.lifecycle.end(callSid, reason);
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

  /** Whether the call leaves the registry within `timeoutMs` (ms), looking every END_POLL_MS. */
  private async leftRegistry(
    callSid: string,
    timeoutMs: number,
  ): Promise<boolean> {
    for (let waited = 0; waited < timeoutMs; waited += END_POLL_MS) {
      await sleep(END_POLL_MS);
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
    const ended = await this.local.lock.run(callSid, async () => {
      const live = await this.steps.attempt(callSid, 'read the live call', () =>
        this.registry.get(callSid),
      );
      const record = await this.steps.attempt(callSid, 'read the record', () =>
        this.store.get(callSid),
      );
      if (!live && (!record || ENDED_STATUSES.has(record.status))) {
        return false;
      }
      this.logger.warn({ callSid, reason, owner: live?.instanceId, msg: why });
      hangingUp = this.hangUpUnlessCallerHungUp(callSid, reason);
      await this.lifecycle.finish(callSid, reason, true);
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
      const owner = this.local.remoteOwner(callSid, live);
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

  /**
   * Hangs up at the carrier (errors logged, never rejects), unless the caller already hung up or was
   * transferred to a person (the call goes on without us).
   */
  private async hangUpUnlessCallerHungUp(
    callSid: string,
    reason: CallEndReason,
  ): Promise<void> {
    const hangup = this.hangup;
    // The caller already hung up, or is talking to the person the agent transferred them to.
    if (!hangup || reason === 'caller-hangup' || reason === 'transferred')
      return;
    await this.steps.attempt(callSid, 'hang up at the carrier', () =>
      hangup.hangUp(callSid),
    );
  }
}
