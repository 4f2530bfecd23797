import { SummaryReporter } from '@jest/reporters';
import type {
  AggregatedResult,
  Config,
  SummaryReporterOptions,
  TestContext,
} from '@jest/reporters';
import { relative } from 'node:path';
// A relative import: Jest loads reporters without its module mapper (see skip-summary.reporter.cjs).
import { skipReasonOf } from '../../../../libs/simulators/src/shared/skip-reason.util';

/** One skipped suite: where, which, why, and how many of its tests did not run. */
export interface SkippedSuite {
  file: string;
  suite: string;
  reason: string;
  tests: number;
}

/** Said of a test skipped with a plain `.skip`, which carries no reason. */
export const NO_REASON = 'no reason given (a plain .skip)';

/**
 * The skipped suites of a run: tests that did not run (`pending`, `todo`, `skipped`) grouped by file
 * and by the suite whose title carries a skip reason (`skippedSuiteTitle`); a test skipped without one
 * counts under its outermost suite (or itself) with NO_REASON.
 */
export function skippedSuites(
  results: Pick<AggregatedResult, 'testResults'>,
  rootDir: string,
): SkippedSuite[] {
  const suites = new Map<string, SkippedSuite>();
  for (const file of results.testResults) {
    for (const test of file.testResults) {
      if (!['pending', 'todo', 'skipped'].includes(test.status)) continue;
      const titles = [...test.ancestorTitles, test.title];
      const marked = titles
        .map((title) => skipReasonOf(title))
        .find((found) => found !== undefined);
      const suite = marked?.name ?? titles[0];
      const path = relative(rootDir, file.testFilePath);
      const key = `${path}\u0000${suite}`;
      const entry = suites.get(key) ?? {
        file: path,
        suite,
        reason: marked?.reason ?? NO_REASON,
        tests: 0,
      };
      entry.tests += 1;
      suites.set(key, entry);
    }
  }
  return [...suites.values()];
}

/** The lines printed at the end of a run: a heading, then one line per skipped suite. */
export function skipSummaryLines(skipped: readonly SkippedSuite[]): string[] {
  if (skipped.length === 0) return ['Skipped suites: none'];
  return [
    `Skipped suites: ${skipped.length}`,
    ...skipped.map(
      (entry) =>
        `  ○ ${entry.file} › ${entry.suite} (${entry.tests} test${entry.tests === 1 ? '' : 's'}): ${entry.reason}`,
    ),
  ];
}

/**
 * Jest's summary reporter, followed by one line per skipped suite and why it was skipped, so that
 * `npm test` ends with them. It stands in for the summary part of Jest's 'default' reporter (Jest
 * always prints that summary after every other reporter): jest.config.ts lists progress.reporter.cjs
 * (Jest's per-file output) and this.
 */
export class SkipSummaryReporter extends SummaryReporter {
  /** Where the skip lines go: stderr, as Jest's own summary (tests replace it). */
  write: (text: string) => void = (text) => process.stderr.write(text);

  constructor(
    private readonly config: Config.GlobalConfig,
    options?: SummaryReporterOptions,
  ) {
    super(config, options);
  }

  override onRunComplete(
    contexts: Set<TestContext>,
    results: AggregatedResult,
  ): void {
    super.onRunComplete(contexts, results);
    const lines = skipSummaryLines(skippedSuites(results, this.config.rootDir));
    this.write(`${lines.join('\n')}\n`);
  }
}
