import type { CallEventMap } from '@app/call-manager';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
} from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CALL_SID_HEADER,
  CALL_SUMMARY_OPTIONS,
  MAX_BACKOFF_MS,
  SIGNATURE_HEADER,
  type CallSummaryPayload,
  type ResolvedCallSummaryOptions,
} from './call-summary.constants';
import { signSummaryBody } from './summary-signature.util';
import { WebhookSender } from './webhook-sender.service';

type EnabledOptions = Extract<ResolvedCallSummaryOptions, { enabled: true }>;

/** What became of one summary (the listener's return value; the event emitter ignores it). */
export type DeliveryOutcome =
  | { outcome: 'disabled' }
  | { outcome: 'delivered'; attempts: number; status: number }
  | { outcome: 'rejected'; attempts: number; status: number }
  | { outcome: 'gave-up'; attempts: number; lastError: string };

/**
 * POSTs a signed summary of every ended call to a webhook. Retries network errors, timeouts, 5xx and
 * 429 with exponential backoff; any other status is final. Never throws: the outcome is logged.
 */
@Injectable()
export class CallSummaryNotifier implements OnApplicationShutdown {
  private readonly logger = new Logger(CallSummaryNotifier.name);
  private readonly inFlight = new Set<Promise<DeliveryOutcome>>();
  /** Aborted at shutdown: waits between attempts end and no retries start. */
  private readonly stopping = new AbortController();

  constructor(
    @Inject(CALL_SUMMARY_OPTIONS)
    private readonly options: ResolvedCallSummaryOptions,
    private readonly sender: WebhookSender,
  ) {}

  // async: the delivery (seconds, with retries) never runs inside the emitter's dispatch.
  @OnEvent('call.ended', { async: true })
  async onCallEnded(
    event: CallEventMap['call.ended'],
  ): Promise<DeliveryOutcome> {
    if (!this.options.enabled) return { outcome: 'disabled' };
    const delivery = this.deliver(this.options, event).catch(
      (err: unknown): DeliveryOutcome => {
        const lastError = describeError(err);
        this.logger.error({
          msg: 'Call summary failed',
          callSid: event?.callSid,
          err: lastError,
        });
        return { outcome: 'gave-up', attempts: 0, lastError };
      },
    );
    this.inFlight.add(delivery);
    try {
      return await delivery;
    } finally {
      this.inFlight.delete(delivery);
    }
  }

  /** Lets attempts in progress finish (each is bounded by timeoutMs) but starts no more. */
  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(
    options: EnabledOptions,
    event: CallEventMap['call.ended'],
  ): Promise<DeliveryOutcome> {
    const { callSid } = event;
    const body = JSON.stringify(summaryPayload(event));
    const headers = {
      'Content-Type': 'application/json',
      [SIGNATURE_HEADER]: signSummaryBody(body, options.secret),
      [CALL_SID_HEADER]: callSid,
    };

    for (let attempt = 1; ; attempt++) {
      let lastError: string;
      try {
        const { status } = await this.sender.post({
          url: options.url,
          body,
          headers,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        if (status >= 200 && status < 300) {
          this.logger.log({
            msg: 'Call summary delivered',
            callSid,
            status,
            attempts: attempt,
          });
          return { outcome: 'delivered', attempts: attempt, status };
        }
        if (!isRetryable(status)) {
          this.logger.warn({
            msg: 'Call summary rejected by the receiver',
            callSid,
            status,
            attempts: attempt,
          });
          return { outcome: 'rejected', attempts: attempt, status };
        }
        lastError = `HTTP ${status}`;
      } catch (err) {
        lastError = describeError(err);
      }

      if (attempt >= options.maxAttempts || this.stopping.signal.aborted) {
        return this.giveUp(callSid, attempt, lastError);
      }
      const delayMs = Math.min(
        options.backoffMs * 2 ** (attempt - 1),
        MAX_BACKOFF_MS,
      );
      this.logger.debug({
        msg: 'Call summary attempt failed; retrying',
        callSid,
        attempt,
        err: lastError,
        delayMs,
      });
      try {
        await sleep(delayMs, undefined, { signal: this.stopping.signal });
      } catch {
        return this.giveUp(callSid, attempt, `${lastError} (shutting down)`);
      }
    }
  }

  private giveUp(
    callSid: string,
    attempts: number,
    lastError: string,
  ): DeliveryOutcome {
    this.logger.warn({
      msg: 'Call summary not delivered; giving up',
      callSid,
      attempts,
      err: lastError,
    });
    return { outcome: 'gave-up', attempts, lastError };
  }
}

/** 5xx and 429 may succeed later; any other status will not. */
function isRetryable(status: number): boolean {
  return status === 429 || status >= 500;
}

function summaryPayload(event: CallEventMap['call.ended']): CallSummaryPayload {
  const record = event.record;
  return {
    event: 'call.ended',
    callSid: event.callSid,
    from: record?.from ?? null,
    to: record?.to ?? null,
    startedAt: record?.startedAt ?? null,
    endedAt: record?.endedAt ?? null,
    durationSeconds: record?.durationSeconds ?? event.durationSeconds,
    endReason: record?.endReason ?? event.reason,
    transcript: record?.transcript ?? [],
  };
}

/** fetch's "fetch failed" says little: add the cause's code (ECONNREFUSED, ENOTFOUND, …). */
function describeError(err: unknown): string {
  if (!(err instanceof Error) && !(typeof err === 'object' && err !== null))
    return String(err);
  const { name, message, cause } = err as {
    name?: string;
    message?: string;
    cause?: unknown;
  };
  const code = (cause as { code?: unknown } | undefined)?.code;
  const text = `${name ?? 'Error'}: ${message ?? ''}`;
  return typeof code === 'string' ? `${text} (${code})` : text;
}
