import { Counter } from 'prom-client';

/** What became of a lost call this instance claimed (LostCallReaper). */
export type LostCallOutcome =
  /** Closed here: record ended with `instance-lost`, hung up at the carrier where possible. */
  | 'closed'
  /** Its record was already final (Twilio's status callback, or its owner, got there first). */
  | 'already-ended'
  /** No record to close. */
  | 'no-record'
  /** The record could not be read: left claimed, retried once the claim's lease runs out. */
  | 'failed';

/** Lost-call metrics (prom-client default registry; the app serves GET /metrics). */
export const lostCallMetrics = {
  reaped: new Counter({
    name: 'voice_lost_calls_total',
    help: 'Calls of dead instances claimed by this instance, by outcome',
    labelNames: ['outcome'],
  }),
  scanFailures: new Counter({
    name: 'voice_lost_call_scan_failures_total',
    help: 'Lost-call scans that could not claim calls (registry unreachable)',
  }),
};
