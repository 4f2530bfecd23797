/**
 * Databases for the store specs. PostgreSQL is probed once, synchronously, when a spec imports
 * this file: unreachable means its suites are skipped with a warning and their title carries the reason
 * (printed at the end of `npm test`), or fail when CI=true.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { skippedSuiteTitle } from '@app/simulators/shared/skip-reason.util';

/** TEST_DATABASE_URL, else the local `test` database (trust auth). */
export const POSTGRES_TEST_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const probe = probePostgres(POSTGRES_TEST_URL);

/** `describe` for suites that need PostgreSQL (see the file comment). */
export function describePostgres(name: string, suite: () => void): void {
  if (probe.ok) {
    describe(name, suite);
    return;
  }
  const why = `PostgreSQL at ${redact(POSTGRES_TEST_URL)} is unreachable (${probe.reason})`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      beforeAll(() => {
        throw new Error(
          `${why}. CI=true requires it: start PostgreSQL or set TEST_DATABASE_URL.`,
        );
      });
      suite();
    });
    return;
  }
  console.warn(`Skipping "${name}": ${why}. With CI=true this fails.`);
  describe.skip(
    skippedSuiteTitle(
      name,
      `${why}; start PostgreSQL or set TEST_DATABASE_URL`,
    ),
    suite,
  );
}

/** A throwaway schema (`cm_<random>`) in the test database, so suites never see each other's rows. */
export class PostgresTestSchema {
  readonly name = `cm_${randomBytes(6).toString('hex')}`;

  /** The test database URL with this schema as the search_path. */
  get url(): string {
    const options = encodeURIComponent(`-c search_path=${this.name}`);
    const glue = POSTGRES_TEST_URL.includes('?') ? '&' : '?';
    return `${POSTGRES_TEST_URL}${glue}options=${options}`;
  }

  create(): Promise<void> {
    return this.run(`create schema ${this.name}`);
  }

  drop(): Promise<void> {
    return this.run(`drop schema if exists ${this.name} cascade`);
  }

  /** Empties the store's tables (they must exist: migrate first). */
  truncate(): Promise<void> {
    return this.run(
      `truncate ${this.name}.transcript_entries, ${this.name}.calls`,
    );
  }

  async query<T>(text: string): Promise<T[]> {
    const client = new Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query(text)).rows as T[];
    } finally {
      await client.end();
    }
  }

  private async run(text: string): Promise<void> {
    const client = new Client({ connectionString: POSTGRES_TEST_URL });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  }
}

/** `select 1` in a child process: a deterministic, synchronous answer at import time. */
function probePostgres(
  url: string,
): { ok: true } | { ok: false; reason: string } {
  const script = `
    const { Client } = require(${JSON.stringify(require.resolve('pg'))});
    const client = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 2000 });
    client.connect()
      .then(() => client.query('select 1'))
      .then(() => client.end())
      .then(() => process.exit(0), (err) => {
        console.error((err && (err.message || err.code)) || String(err));
        process.exit(1);
      });`;
  const result = spawnSync(process.execPath, ['-e', script, url], {
    encoding: 'utf8',
    timeout: 5000,
  });
  if (result.status === 0) return { ok: true };
  const reason =
    result.stderr?.trim() ||
    result.error?.message ||
    `probe exited with ${String(result.status ?? result.signal)}`;
  return { ok: false, reason };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
