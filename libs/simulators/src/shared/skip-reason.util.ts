/**
 * Why a test suite was skipped, carried in its title: a skipped suite's tests reach Jest's reporters
 * only as titles, so a suite that skips by design (no PostgreSQL, no Redis, no Chromium) is titled
 * `<name> [skipped: <reason>]`, and the skip-summary reporter reads the reason back at the end of the
 * run (apps/voice-gateway/test/support/skip-summary.reporter.ts).
 */

const MARK = ' [skipped: ';
const MARKED = /^(.*) \[skipped: (.*)\]$/s;

/** The title of a suite skipped for `reason`. */
export function skippedSuiteTitle(name: string, reason: string): string {
  return `${name}${MARK}${reason.replace(/\s+/g, ' ').trim()}]`;
}

/** The suite name and skip reason a title carries, or undefined for an ordinary title. */
export function skipReasonOf(
  title: string,
): { name: string; reason: string } | undefined {
  const match = MARKED.exec(title);
  return match ? { name: match[1], reason: match[2] } : undefined;
}

/**
 * A `describe` that skips the suite it is given, titled with `reason` (for helpers that hand a
 * `describe` to their caller: `describeWithServices(['postgres'])('name', () => …)`).
 */
export function skippingDescribe(reason: string): jest.Describe {
  const skip = (name: unknown, suite?: () => void): void =>
    describe.skip(
      skippedSuiteTitle(String(name), reason),
      suite ?? (() => undefined),
    );
  return Object.assign(skip, describe.skip);
}
