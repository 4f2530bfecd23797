import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import {
  CALL_HANGUP,
  CALL_MANAGER_OPTIONS,
  CALL_REGISTRY,
  CALL_STORE,
  type CallManagerOptions,
} from '../call-manager.constants';
import {
  ENDED_STATUSES,
  type CallHangup,
  type CallRecord,
} from '../call.types';
import {
  CallRegistration,
  FINAL_TWILIO_STATUSES,
} from '../call-registration.service';
import { CallSteps, errorMessage } from '../call-steps.util';
import { LocalCalls } from '../local-calls.state';
import type {
  CallRegistry,
  LostCall,
  LostCallClaims,
} from '../registry/call-registry.interface';
import { RedisOutage } from '../registry/redis-outage.util';
import type { CallStore } from '../store/call-store.interface';
import { lostCallMetrics, type LostCallOutcome } from './lost-calls.metrics';

/** Defaults of LostCallReaperOptions that do not follow from the registry's ttl. */
export const DEFAULT_LOST_CALL_LEASE_MS = 60_000;
export const DEFAULT_LOST_CALL_BATCH = 20;

/** One claimed call and what became of it. */
export interface ReapedCall extends LostCall {
  outcome: LostCallOutcome;
}

/**
 * Closes the calls of instances that died, on every instance sharing a registry (Redis). A call
 * whose owner stops heart-beating expires from the registry `ttlMs` after the last heartbeat; its
 * record would stay `in-progress` for good. Every `scanEveryMs` (default: the ttl) each survivor
 * claims up to `batchSize` calls lost for more than `graceMs` (default: half the ttl) — an atomic
 * claim, so each call goes to exactly one survivor — and, for each (side by side):
 * - record already final (Twilio's status callback closed it): nothing more;
 * - otherwise: hangs up at the carrier (CALL_HANGUP, unless Twilio already reported the call over),
 *   ends it here if this very instance still carries it (its owner, back from a Redis outage after
 *   the call was given up), and writes the final record: `completed`, reason `instance-lost`
 *   (with `call.ended` emitted, as for any end).
 * A claim is a lease (`leaseMs`): if this survivor dies or cannot read the record, another one
 * claims the call once the lease runs out. So a dead instance's call is closed 9–15 s after its
 * last heartbeat with the defaults (ttl 6 s + grace 3 s + up to one scan).
 *
 * With the in-memory registry (one instance) there is nothing to reap and no timer runs.
 * Scans run one at a time; their errors are logged (an outage once) and counted, never thrown.
 */
@Injectable()
export class LostCallReaper
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(LostCallReaper.name);
  private readonly steps: CallSteps;
  private readonly outage = new RedisOutage(this.logger, 'Lost-call reaper');
  private readonly claims: LostCallClaims | undefined;
  private readonly scanEveryMs: number;
  private readonly graceMs: number;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<ReapedCall[]> | undefined;
  private stopped = false;

  constructor(
    private readonly local: LocalCalls,
    private readonly lifecycle: CallRegistration,
    @Inject(CALL_REGISTRY) registry: CallRegistry,
    @Inject(CALL_STORE) private readonly store: CallStore,
    @Inject(CALL_MANAGER_OPTIONS) options: CallManagerOptions,
    @Optional()
    @Inject(CALL_HANGUP)
    private readonly hangup?: CallHangup,
  ) {
    this.steps = new CallSteps(this.logger, options);
    this.claims = registry.lostCalls;
    const ttlMs = this.claims?.ttlMs ?? 0;
    const timings = options.lostCalls ?? {};
    this.scanEveryMs = timings.scanEveryMs ?? ttlMs;
    this.graceMs = timings.graceMs ?? ttlMs / 2;
    this.leaseMs = timings.leaseMs ?? DEFAULT_LOST_CALL_LEASE_MS;
    this.batchSize = timings.batchSize ?? DEFAULT_LOST_CALL_BATCH;
  }

  /** Whether this instance reaps (its registry is shared, so other instances' calls can be lost). */
  get enabled(): boolean {
    return this.claims !== undefined;
  }

  /** Starts the periodic scan (every `scanEveryMs`, ms). A no-op without a shared registry. */
  onApplicationBootstrap(): void {
    if (!this.claims || this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.scan(), this.scanEveryMs);
    this.timer.unref();
  }

  /** Stops scanning and waits for a scan under way, before the registry's connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.scanning;
  }

  /**
   * One scan: claims up to `batchSize` lost calls and closes them side by side. Resolves the
   * calls claimed and their outcome ([] when none, when stopped, without a shared registry, or
   * when the registry could not be reached). Never rejects; one scan at a time (a call during a
   * scan joins it).
   */
  scan(): Promise<ReapedCall[]> {
    if (this.stopped || !this.claims) return Promise.resolve([]);
    const claims = this.claims;
    this.scanning ??= this.scanOnce(claims).finally(
      () => (this.scanning = undefined),
    );
    return this.scanning;
  }

  private async scanOnce(claims: LostCallClaims): Promise<ReapedCall[]> {
    let claimed: LostCall[];
    try {
      claimed = await this.steps.bounded(
        claims.claim({
          limit: this.batchSize,
          graceMs: this.graceMs,
          leaseMs: this.leaseMs,
        }),
        'claim lost calls',
      );
    } catch (err) {
      lostCallMetrics.scanFailures.inc();
      this.outage.failed(err, 'claiming lost calls');
      return [];
    }
    this.outage.recovered();
    // Side by side, so the whole batch finishes well within the claims' lease.
    return Promise.all(
      claimed.map(async (lost) => {
        const outcome = await this.reap(lost, claims);
        lostCallMetrics.reaped.inc({ outcome });
        return { ...lost, outcome };
      }),
    );
  }

  /** Closes one claimed call (see the class comment). Never rejects. */
  private async reap(
    lost: LostCall,
    claims: LostCallClaims,
  ): Promise<LostCallOutcome> {
    const { callSid, instanceId: owner } = lost;
    let record: CallRecord | undefined;
    try {
      record = await this.steps.bounded(
        this.store.get(callSid),
        'read the record',
      );
    } catch (err) {
      this.logger.error({
        callSid,
        owner,
        err: errorMessage(err),
        msg: 'Could not read the record of a lost call; another try once its claim runs out',
      });
      return 'failed';
    }
    if (record && !ENDED_STATUSES.has(record.status)) {
      this.logger.warn({
        callSid,
        owner,
        msg: 'The instance holding the call is gone; closing the call here',
      });
      await this.close(callSid, record);
    }
    await this.steps.attempt(callSid, 'settle the lost call', () =>
      claims.settle(callSid),
    );
    if (!record) return 'no-record';
    return ENDED_STATUSES.has(record.status) ? 'already-ended' : 'closed';
  }

  /** Hangs up at the carrier, ends a carrier still attached here, writes the final record. */
  private async close(callSid: string, record: CallRecord): Promise<void> {
    const hangup = this.hangup;
    const overAtCarrier =
      record.twilioStatus !== undefined &&
      FINAL_TWILIO_STATUSES.has(record.twilioStatus);
    if (hangup && !overAtCarrier) {
      await this.steps.attempt(callSid, 'hang up at the carrier', () =>
        hangup.hangUp(callSid),
      );
    }
    const control = this.local.controlOf(callSid);
    if (control) {
      try {
        await control.end('instance-lost');
      } catch (err) {
        this.logger.error({
          callSid,
          err: errorMessage(err),
          msg: 'The call carrier failed to end the call',
        });
      }
    }
    // Idempotent: a no-op when the control ended the call (and wrote its record) already.
    await this.local.lock.run(callSid, () =>
      this.lifecycle.finish(callSid, 'instance-lost', true),
    );
  }
}
