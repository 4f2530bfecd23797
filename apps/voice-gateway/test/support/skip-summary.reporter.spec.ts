import { SummaryReporter } from '@jest/reporters';
import type { AggregatedResult, Config, TestContext } from '@jest/reporters';
import {
  skippedSuiteTitle,
  skipReasonOf,
} from '@app/simulators/shared/skip-reason.util';
import {
  NO_REASON,
  SkipSummaryReporter,
  skippedSuites,
  skipSummaryLines,
} from './skip-summary.reporter';

type Status = 'passed' | 'failed' | 'pending' | 'todo';

/** A run's results as Jest hands them to reporters (only the fields the reporter reads). */
function run(
  files: Array<{ path: string; tests: Array<[string[], string, Status]> }>,
): AggregatedResult {
  return {
    testResults: files.map((file) => ({
      testFilePath: `/repo/${file.path}`,
      testResults: file.tests.map(([ancestorTitles, title, status]) => ({
        ancestorTitles,
        title,
        status,
      })),
    })),
  } as unknown as AggregatedResult;
}

const PG_REASON =
  'PostgreSQL at postgres://postgres@127.0.0.1:5432/test is unreachable (connect ECONNREFUSED 127.0.0.1:5432)';

describe('skip reasons in suite titles', () => {
  it('round-trips a name and a reason (whitespace folded)', () => {
    const title = skippedSuiteTitle(
      'SqlCallStore on PostgreSQL',
      `${PG_REASON}\n`,
    );
    expect(title).toBe(`SqlCallStore on PostgreSQL [skipped: ${PG_REASON}]`);
    expect(skipReasonOf(title)).toEqual({
      name: 'SqlCallStore on PostgreSQL',
      reason: PG_REASON,
    });
    expect(skipReasonOf('an ordinary suite')).toBeUndefined();
  });
});

describe('SkipSummaryReporter', () => {
  const results = run([
    {
      path: 'libs/call-manager/src/store/sql-call-store.postgres.spec.ts',
      tests: [
        [
          [skippedSuiteTitle('SqlCallStore on PostgreSQL', PG_REASON)],
          'stores a call',
          'pending',
        ],
        [
          [
            skippedSuiteTitle('SqlCallStore on PostgreSQL', PG_REASON),
            'transcripts',
          ],
          'appends',
          'pending',
        ],
      ],
    },
    {
      path: 'apps/voice-gateway/test/console.e2e-spec.ts',
      tests: [
        [
          [
            skippedSuiteTitle(
              'Operator console (Chromium)',
              '/usr/bin/chromium not found',
            ),
          ],
          'lists calls',
          'pending',
        ],
      ],
    },
    {
      path: 'libs/audio-bridge/src/mulaw.spec.ts',
      tests: [
        [['mu-law'], 'encodes', 'passed'],
        [['mu-law'], 'decodes', 'failed'],
        [['mu-law', 'later'], 'a plain skip', 'pending'],
        [[], 'a todo', 'todo'],
      ],
    },
  ]);

  it('groups skipped tests by suite and reads the reason from the title', () => {
    expect(skippedSuites(results, '/repo')).toEqual([
      {
        file: 'libs/call-manager/src/store/sql-call-store.postgres.spec.ts',
        suite: 'SqlCallStore on PostgreSQL',
        reason: PG_REASON,
        tests: 2,
      },
      {
        file: 'apps/voice-gateway/test/console.e2e-spec.ts',
        suite: 'Operator console (Chromium)',
        reason: '/usr/bin/chromium not found',
        tests: 1,
      },
      {
        file: 'libs/audio-bridge/src/mulaw.spec.ts',
        suite: 'mu-law',
        reason: NO_REASON,
        tests: 1,
      },
      {
        file: 'libs/audio-bridge/src/mulaw.spec.ts',
        suite: 'a todo',
        reason: NO_REASON,
        tests: 1,
      },
    ]);
  });

  it("prints Jest's summary, then one line per skipped suite and its reason", () => {
    let output = '';
    // Jest's own summary (tested by Jest) stands in as one line.
    const summary = jest
      .spyOn(SummaryReporter.prototype, 'onRunComplete')
      .mockImplementation(() => {
        output += 'Test Suites: …\n';
      });
    const reporter = new SkipSummaryReporter({
      rootDir: '/repo',
    } as Config.GlobalConfig);
    reporter.write = (text) => {
      output += text;
    };
    try {
      reporter.onRunComplete(new Set<TestContext>(), results);
    } finally {
      summary.mockRestore();
    }
    const [first, ...lines] = output.trim().split('\n');
    expect(first).toBe('Test Suites: …');
    expect(lines[0]).toBe('Skipped suites: 4');
    expect(lines[1]).toBe(
      `  ○ libs/call-manager/src/store/sql-call-store.postgres.spec.ts › SqlCallStore on PostgreSQL (2 tests): ${PG_REASON}`,
    );
    expect(lines[2]).toBe(
      '  ○ apps/voice-gateway/test/console.e2e-spec.ts › Operator console (Chromium) (1 test): /usr/bin/chromium not found',
    );
    expect(lines).toHaveLength(5);
  });

  it('says so when nothing was skipped', () => {
    expect(skipSummaryLines(skippedSuites(run([]), '/repo'))).toEqual([
      'Skipped suites: none',
    ]);
  });
});
