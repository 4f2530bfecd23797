import { LoggerService } from '@nestjs/common';
import { Counter } from 'prom-client';
import { scrubText } from '../logging/secret-scrubber';

const processFaults = new Counter({
  name: 'process_faults_total',
  help: 'Faults that escaped every call fault boundary, by kind (unhandledRejection, uncaughtException)',
  labelNames: ['kind'],
});

type FaultKind = 'unhandledRejection' | 'uncaughtException';

/**
 * Process-level safety net: a rejection nobody handled, or an exception nobody caught, is logged
 * with its stack and counted (`process_faults_total{kind}`) instead of ending the process and every
 * call on it. Each call's own faults are caught earlier, by its CallFaultBoundary; anything that lands
 * here is a bug to fix (the e2e suites fail when either event fires). Returns a function that removes
 * the handlers.
 */
export function installProcessFaultHandlers(logger: LoggerService): () => void {
  const report =
    (kind: FaultKind) =>
    (reason: unknown): void => {
      processFaults.inc({ kind });
      logger.error(
        {
          msg: `Process-level ${kind}: a fault escaped every call boundary`,
          kind,
          // Scrubbed here too: whatever logger this is given, a stray error's secrets stay in.
          err: scrubText(
            reason instanceof Error ? reason.message : String(reason),
          ),
          stack:
            reason instanceof Error && reason.stack
              ? scrubText(reason.stack)
              : undefined,
        },
        undefined,
        'ProcessFaults',
      );
    };
  const onRejection = report('unhandledRejection');
  const onException = report('uncaughtException');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
