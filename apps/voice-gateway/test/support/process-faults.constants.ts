/** Where the process-faults environment shares its record with the test sandbox (a global's name). */
export const PROCESS_FAULTS = '__processFaults__';

/** One `uncaughtException` or `unhandledRejection` the real process emitted during a test file. */
export interface ProcessFault {
  kind: 'uncaughtException' | 'unhandledRejection';
  /** The error's stack, or the rejection reason as inspected. */
  detail: string;
}
