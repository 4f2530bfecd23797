import { PROCESS_FAULTS, ProcessFault } from './process-faults.constants';

/**
 * Fails a test file when the process emitted `uncaughtException` or `unhandledRejection` during it:
 * in the test that was running (afterEach), or in the file's hooks (afterAll). The events are
 * recorded by process-faults.environment.ts (jest.config.ts `testEnvironment`); a listener on
 * `process` here would never hear them (see there).
 */
const faults = (globalThis as Record<string, unknown>)[PROCESS_FAULTS] as
  ProcessFault[] | undefined;
if (!faults) {
  throw new Error(
    'process-faults.setup.ts needs testEnvironment process-faults.environment.ts',
  );
}
const recorded = faults;
let reported = 0;

function failOnNewFaults(where: string): void {
  const fresh = recorded.slice(reported);
  reported = recorded.length;
  if (fresh.length === 0) return;
  throw new Error(
    [
      `${fresh.length} process-level fault(s) ${where}:`,
      ...fresh.map((fault) => `${fault.kind}: ${fault.detail}`),
    ].join('\n'),
  );
}

afterEach(() => {
  failOnNewFaults(`while "${expect.getState().currentTestName}" ran`);
});

afterAll(() => {
  failOnNewFaults('in hooks of this test file');
});
