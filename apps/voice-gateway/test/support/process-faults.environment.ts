import type {
  EnvironmentContext,
  JestEnvironmentConfig,
} from '@jest/environment';
import type { Circus } from '@jest/types';
import NodeEnvironment from 'jest-environment-node';
import { inspect, types } from 'node:util';
import { PROCESS_FAULTS, ProcessFault } from './process-faults.constants';

/**
 * Jest's Node environment, plus a record of every `uncaughtException` and `unhandledRejection` the
 * real process emits while a test file runs, shared with the sandbox as `globalThis[PROCESS_FAULTS]`;
 * process-faults.setup.ts fails the file's tests on them.
 *
 * Why an environment: code in the sandbox (tests, and the app they boot) sees a copy of `process`
 * whose listeners never hear these events; only the real process emits them, and only code outside
 * the sandbox can listen there. jest-circus replaces the real process's listeners with its own at
 * the run's `setup` event, so these are added after it and removed at `teardown`.
 */
export default class ProcessFaultsEnvironment extends NodeEnvironment {
  private readonly faults: ProcessFault[] = [];
  private readonly onException = (error: unknown): void =>
    this.record('uncaughtException', error);
  private readonly onRejection = (reason: unknown): void =>
    this.record('unhandledRejection', reason);

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.global[PROCESS_FAULTS] = this.faults;
  }

  handleTestEvent(event: Circus.Event): void {
    if (event.name === 'setup') {
      process.on('uncaughtException', this.onException);
      process.on('unhandledRejection', this.onRejection);
    } else if (event.name === 'teardown') {
      process.off('uncaughtException', this.onException);
      process.off('unhandledRejection', this.onRejection);
    }
  }

  private record(kind: ProcessFault['kind'], error: unknown): void {
    const detail =
      types.isNativeError(error) && error.stack ? error.stack : inspect(error);
    this.faults.push({ kind, detail });
  }
}
