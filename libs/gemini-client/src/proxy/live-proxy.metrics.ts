import { Counter } from 'prom-client';

/** Browser-proxy metrics (prom-client default registry; the app serves GET /metrics). */
export const liveProxyMetrics = {
  refusedTokens: new Counter({
    name: 'voice_live_tokens_refused_total',
    help: 'Browser tokens refused by the Live proxy, by reason (invalid, reused, ledger-unavailable)',
    labelNames: ['reason'],
  }),
};
