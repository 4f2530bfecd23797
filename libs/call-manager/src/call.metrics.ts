import { Counter, Histogram } from 'prom-client';

/** Call-lifecycle metrics (prom-client default registry; the app serves GET /metrics). */
export const callMetrics = {
  ended: new Counter({
    name: 'voice_calls_ended_total',
    help: 'Calls ended, by end reason',
    labelNames: ['reason'],
  }),
  transcriptWriteLag: new Histogram({
    name: 'voice_transcript_write_lag_seconds',
    help: 'Time from a transcript line being produced to its write completing',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
};
