import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CALL_MANAGER_OPTIONS,
  CALL_REGISTRY,
  type CallManagerOptions,
} from './call-manager.constants';
import type { CallEndReason } from './call.types';
import { CallEndRouting } from './call-end.routing';
import { CallSteps, errorMessage, sleep } from './call-steps.util';
import { LocalCalls } from './local-calls.state';
import type { CallRegistry } from './registry/call-registry.interface';

/** How long live calls may go on after SIGTERM before they are ended (ms). */
const DEFAULT_DRAIN_TIMEOUT_MS = 20_000;
/** How often the drain looks whether the live calls have ended (ms). */
const DRAIN_POLL_MS = 100;

/**
 * Graceful shutdown of this process's calls: stop taking new ones, give the live ones the drain
 * period, end the rest. Also keeps LocalCalls bounded: calls reserved here whose stream went to
 * another instance are forgotten once they are no longer this process's to end.
 *
 * Has no Nest lifecycle hook of its own: CallsService's `beforeApplicationShutdown` runs `drain()`,
 * which runs once however often it is called.
 */
@Injectable()
export class CallDrain {
  private readonly logger = new Logger(CallDrain.name);
  private readonly steps: CallSteps;
  private draining: Promise<void> | undefined;
  private pruning = false;

  constructor(
    private readonly local: LocalCalls,
    private readonly routing: CallEndRouting,
    @Inject(CALL_REGISTRY) private readonly registry: CallRegistry,
    @Inject(CALL_MANAGER_OPTIONS) private readonly options: CallManagerOptions,
  ) {
    this.steps = new CallSteps(this.logger, options);
  }

  /** True once shutdown has begun: no new calls, live calls get the drain period. */
  get isDraining(): boolean {
    return this.draining !== undefined;
  }

  /**
   * Graceful shutdown (SIGTERM): stop taking calls, give the live ones up to `drainTimeoutMs` (ms,
   * default 20 000) to finish, then end the rest with reason `shutdown`, their records written.
   * Runs once: later calls resolve with the first run. Never rejects.
   */
  drain(): Promise<void> {
    this.draining ??= this.runDrain();
    return this.draining;
  }

  /**
   * Ends every call this process holds, with `reason`, then writes any pending transcript lines.
   * Calls reserved here whose stream went to another instance are left to it. Failures are logged;
   * never rejects.
   */
  async endAll(reason: CallEndReason = 'shutdown'): Promise<void> {
    const results = await Promise.allSettled(
      this.local
        .callSids()
        .map((callSid) => this.endIfHeldHere(callSid, reason)),
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
    await this.local.transcripts.drain();
  }

  /**
   * This instance can hold no more live calls than maxConcurrentCalls, so holding more than that
   * means some went to other instances (their streams attached there): starts forgetting those in
   * the background (see pruneLocalCalls). Returns at once.
   */
  pruneIfOverfull(): void {
    if (this.local.heldCount > this.options.maxConcurrentCalls) {
      void this.pruneLocalCalls();
    }
  }

  private async runDrain(): Promise<void> {
    const drainMs = this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    const deadline = Date.now() + drainMs;
    if (this.local.carrierCount > 0) {
      this.logger.log({
        msg: 'Draining live calls before shutdown',
        calls: this.local.carrierCount,
        drainMs,
      });
    }
    while (this.local.carrierCount > 0 && Date.now() < deadline) {
      await sleep(DRAIN_POLL_MS);
    }
    await this.endAll('shutdown');
  }

  /** Shutdown: ends a call unless another instance holds it (its stream attached there). */
  private async endIfHeldHere(
    callSid: string,
    reason: CallEndReason,
  ): Promise<void> {
    const live = await this.steps.attempt(callSid, 'read the live call', () =>
      this.registry.get(callSid),
    );
    if (live && this.local.remoteOwner(callSid, live)) {
      this.local.forgetReservation(callSid);
      return;
    }
    if (!live && !this.local.controlOf(callSid)) return;
    await this.routing.endHere(callSid, reason);
  }

  /** Forgets held calls now held by another instance or no longer live. Never rejects. */
  private async pruneLocalCalls(): Promise<void> {
    if (this.pruning) return;
    this.pruning = true;
    try {
      for (const callSid of this.local.callSids()) {
        if (this.local.hasCarrier(callSid)) continue;
        const live = await this.registry.get(callSid);
        if (!live || this.local.remoteOwner(callSid, live)) {
          this.local.forgetReservation(callSid);
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
}
