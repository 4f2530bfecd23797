import { Gauge } from 'prom-client';
import type { HealthReport } from './health.types';

/** Where the gauges read the health report from at scrape time (the app's HealthService). */
let source: (() => Promise<HealthReport>) | undefined;

/** One report per scrape, shared by the gauges below (each gauge's collect runs separately). */
let pending: Promise<HealthReport | undefined> | undefined;

function currentReport(): Promise<HealthReport | undefined> {
  if (!source) return Promise.resolve(undefined);
  pending ??= source()
    .catch(() => undefined)
    .finally(() => {
      setImmediate(() => (pending = undefined));
    });
  return pending;
}

/**
 * Health as Prometheus gauges, read at scrape time: readiness, each check, and the store's write
 * queue (pending writes and fill ratio, 0..1), so an outage the queue is riding out is visible.
 */
export const healthMetrics = {
  ready: new Gauge({
    name: 'voice_ready',
    help: '1 when this instance can take a new call (GET /health/ready is 200)',
    async collect() {
      const report = await currentReport();
      if (report) this.set(report.ready ? 1 : 0);
    },
  }),
  check: new Gauge({
    name: 'voice_health_check_ok',
    help: '1 when the named /health check passes; `required` checks gate readiness',
    labelNames: ['check', 'required'],
    async collect() {
      const report = await currentReport();
      if (!report) return;
      this.reset();
      for (const [name, check] of Object.entries(report.checks)) {
        this.set(
          { check: name, required: String(check.required) },
          check.ok ? 1 : 0,
        );
      }
    },
  }),
  storePendingWrites: new Gauge({
    name: 'voice_store_pending_writes',
    help: 'Call-store writes queued in memory, waiting for the database',
    async collect() {
      const pendingWrites = (await currentReport())?.checks.store
        ?.pendingWrites;
      if (typeof pendingWrites === 'number') this.set(pendingWrites);
    },
  }),
  storeQueueFill: new Gauge({
    name: 'voice_store_queue_fill_ratio',
    help: 'Call-store write queue fill, 0..1 (beyond 1 transcript batches are dropped, never records)',
    async collect() {
      const queueFill = (await currentReport())?.checks.store?.queueFill;
      if (typeof queueFill === 'number') this.set(queueFill);
    },
  }),
};

/** Points the gauges at `report` (the live app's); returns the function that unbinds it. */
export function bindHealthMetrics(
  report: () => Promise<HealthReport>,
): () => void {
  source = report;
  return () => {
    if (source === report) source = undefined;
  };
}
