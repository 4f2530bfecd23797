import { Counter } from 'prom-client';

/** The agent's call control (prom-client default registry, served on GET /metrics). */
export const controlMetrics = {
  transfers: new Counter({
    name: 'voice_transfers_total',
    help: 'transfer_call outcomes: answered, not-answered (busy, no-answer, failed, canceled), not-started (REST redirect failed), refused (target outside the profile)',
    labelNames: ['outcome'],
  }),
};
