import {
  BackendStatus,
  CALL_REGISTRY,
  CALL_ROUTER,
  CALL_STORE,
  CallsService,
  ManagedBackend,
} from '@app/call-manager';
import { GeminiConnector } from '@app/gemini-client';
import { TwilioSignatureVerifier } from '@app/twilio';
import {
  Inject,
  Injectable,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { CallsConfig, callsConfig } from '../config';
import { bindHealthMetrics } from './health.metrics';
import type { CheckState, HealthCheck, HealthReport } from './health.types';

export type {
  CheckState,
  HealthCheck,
  HealthReport,
  HealthStatus,
} from './health.types';

/** How long one health run answers every request (ms). */
const REPORT_CACHE_MS = 250;

/** Longest wait for the live-call count (a registry that stops answering), in ms. */
const COUNT_TIMEOUT_MS = 2000;

/**
 * The readiness rule for each dependency (the README's "Health and readiness" table mirrors it).
 * true: the check failing makes the instance unready.
 */
export const READINESS_RULES = {
  /** No credentials: every call would get the apology. */
  gemini: true,
  /** No WEBHOOK_BASE_URL / auth token: every webhook is refused (signatures cannot be checked). */
  twilio: true,
  /** Every new call takes its slot in the registry; without it no call can be reserved. */
  registry: true,
  /** MAX_CONCURRENT_CALLS reached: a new call would only hear the busy message. */
  capacity: true,
  /** SIGTERM received: new calls are refused politely while live ones finish. */
  draining: true,
  /** Writes are queued in memory (bounded, creates and final statuses never dropped) and flushed on recovery. */
  store: false,
  /** Only `POST /end-call` for calls on other instances needs it; it falls back to Twilio REST hang-up. */
  router: false,
} as const satisfies Record<string, boolean>;

type CheckName = keyof typeof READINESS_RULES;

function isManaged(value: unknown): value is ManagedBackend {
  return typeof (value as ManagedBackend | undefined)?.health === 'function';
}

async function backendStatus(backend: unknown): Promise<CheckState> {
  if (!isManaged(backend)) return { ok: true, backend: 'memory' };
  try {
    const { ok, ...rest }: BackendStatus = await backend.health();
    return { ok, ...rest };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
}

/** The store's check, with its write queue's fill (0..1) when the store reports its bound. */
function withQueueFill(check: CheckState): CheckState {
  const pending = check.pendingWrites;
  const max = check.maxPendingWrites;
  if (typeof pending !== 'number' || typeof max !== 'number' || max <= 0) {
    return check;
  }
  return { ...check, queueFill: pending / max };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * What /health reports: each dependency's state and whether this instance can take a new call now
 * (readiness). The rule per dependency is READINESS_RULES; the top-level status is never `ok` while a
 * check fails.
 */
@Injectable()
export class HealthService implements OnModuleInit, OnModuleDestroy {
  private unbindMetrics?: () => void;
  private cached?: { at: number; report: Promise<HealthReport> };

  constructor(
    @Inject(CALL_STORE) private readonly store: unknown,
    @Inject(CALL_REGISTRY) private readonly registry: unknown,
    @Inject(CALL_ROUTER) private readonly router: unknown,
    private readonly gemini: GeminiConnector,
    private readonly twilio: TwilioSignatureVerifier,
    private readonly calls: CallsService,
    @Inject(callsConfig.KEY) private readonly config: CallsConfig,
  ) {}

  onModuleInit(): void {
    this.unbindMetrics = bindHealthMetrics(() => this.report());
  }

  onModuleDestroy(): void {
    this.unbindMetrics?.();
  }

  /**
   * The current report; never rejects. Concurrent and back-to-back requests within REPORT_CACHE_MS
   * share one run, so a flood of unthrottled /health requests costs the database at most a few pings a
   * second, never one per request.
   */
  report(): Promise<HealthReport> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < REPORT_CACHE_MS) {
      return this.cached.report;
    }
    const report = this.run();
    this.cached = { at: now, report };
    return report;
  }

  /** Runs every check (backend pings bounded by the backends themselves). */
  private async run(): Promise<HealthReport> {
    const [store, registry, router, capacity] = await Promise.all([
      backendStatus(this.store).then(withQueueFill),
      backendStatus(this.registry),
      backendStatus(this.router),
      this.capacity(),
    ]);
    const geminiReason = this.gemini.disabledReason;
    const twilioReason = this.twilio.disabledReason;
    const raw: Record<CheckName, CheckState> = {
      gemini: geminiReason ? { ok: false, detail: geminiReason } : { ok: true },
      twilio: twilioReason ? { ok: false, detail: twilioReason } : { ok: true },
      registry,
      capacity,
      draining: this.calls.isDraining
        ? { ok: false, detail: 'shutting down: no new calls' }
        : { ok: true },
      store,
      router,
    };
    const checks: Record<string, HealthCheck> = {};
    for (const name of Object.keys(raw) as CheckName[]) {
      checks[name] = { ...raw[name], required: READINESS_RULES[name] };
    }
    const failing = Object.values(checks).filter((check) => !check.ok);
    const ready = failing.every((check) => !check.required);
    return {
      status: failing.length === 0 ? 'ok' : ready ? 'degraded' : 'unready',
      ready,
      uptimeSeconds: Math.round(process.uptime()),
      checks,
    };
  }

  /** Live calls against MAX_CONCURRENT_CALLS (shared by every instance when the registry is). */
  private async capacity(): Promise<CheckState> {
    const max = this.config.maxConcurrentCalls;
    let live: number;
    try {
      live = await withTimeout(this.calls.liveCount(), COUNT_TIMEOUT_MS);
    } catch (err) {
      return {
        ok: false,
        detail: `cannot count live calls: ${(err as Error).message}`,
        max,
      };
    }
    return live < max
      ? { ok: true, live, max }
      : {
          ok: false,
          live,
          max,
          detail: `at capacity: ${live} of ${max} calls`,
        };
  }
}
