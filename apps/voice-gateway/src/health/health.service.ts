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
import { Inject, Injectable } from '@nestjs/common';

export interface HealthCheck {
  ok: boolean;
  detail?: string;
  [key: string]: unknown;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  ready: boolean;
  uptimeSeconds: number;
  checks: Record<string, HealthCheck>;
}

function isManaged(value: unknown): value is ManagedBackend {
  return typeof (value as ManagedBackend | undefined)?.health === 'function';
}

async function backendCheck(backend: unknown): Promise<HealthCheck> {
  if (!isManaged(backend)) return { ok: true, backend: 'memory' };
  try {
    const { ok, ...rest }: BackendStatus = await backend.health();
    return { ok, ...rest };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
}

/**
 * What /health reports: the call store and registry backends, and whether Twilio and Gemini are
 * configured. Readiness (can this instance take a call now?) needs all of them.
 */
@Injectable()
export class HealthService {
  constructor(
    @Inject(CALL_STORE) private readonly store: unknown,
    @Inject(CALL_REGISTRY) private readonly registry: unknown,
    @Inject(CALL_ROUTER) private readonly router: unknown,
    private readonly gemini: GeminiConnector,
    private readonly twilio: TwilioSignatureVerifier,
    private readonly calls: CallsService,
  ) {}

  async report(): Promise<HealthReport> {
    const [store, registry, router] = await Promise.all([
      backendCheck(this.store),
      backendCheck(this.registry),
      backendCheck(this.router),
    ]);
    const geminiReason = this.gemini.disabledReason;
    const twilioReason = this.twilio.disabledReason;
    const checks: Record<string, HealthCheck> = {
      store,
      registry,
      router,
      gemini: geminiReason ? { ok: false, detail: geminiReason } : { ok: true },
      twilio: twilioReason ? { ok: false, detail: twilioReason } : { ok: true },
      draining: this.calls.isDraining
        ? { ok: false, detail: 'shutting down: no new calls' }
        : { ok: true },
    };
    const ready = Object.values(checks).every((check) => check.ok);
    return {
      status: store.ok && registry.ok && router.ok ? 'ok' : 'degraded',
      ready,
      uptimeSeconds: Math.round(process.uptime()),
      checks,
    };
  }
}
