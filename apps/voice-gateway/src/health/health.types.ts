/** What one check finds (backend name, counts, the reason it fails). */
export interface CheckState {
  ok: boolean;
  detail?: string;
  [key: string]: unknown;
}

/** One dependency's state in /health. */
export interface HealthCheck extends CheckState {
  /**
   * Whether this check failing makes the instance unready (see READINESS_RULES). A failing check
   * that is not required only degrades the service.
   */
  required: boolean;
}

/**
 * `ok`: every check passes. `degraded`: something fails but the instance can still take a new call
 * (e.g. the store is down and its write queue is riding it out). `unready`: it cannot take a new
 * call now (a required check fails).
 */
export type HealthStatus = 'ok' | 'degraded' | 'unready';

/** What `/health` answers: the overall status, readiness and every check. */
export interface HealthReport {
  status: HealthStatus;
  /** Can this instance take a new call now? (`/health/ready` answers 503 when false.) */
  ready: boolean;
  uptimeSeconds: number;
  checks: Record<string, HealthCheck>;
}
