/**
 * Redis for the registry and router specs. The server is probed once, synchronously, when a spec
 * imports this file: unreachable means its suites are skipped with a warning and their title carries the
 * reason (printed at the end of `npm test`), or fail when CI=true.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { skippedSuiteTitle } from '@app/simulators/shared/skip-reason.util';

/** TEST_REDIS_URL, else the local server. */
export const TEST_REDIS_URL =
  process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Nothing listens here: connections are refused at once. */
export const UNREACHABLE_REDIS_URL = 'redis://127.0.0.1:1';

const probe = probeRedis(TEST_REDIS_URL);

/** `describe` for suites that need Redis (see the file comment). */
export function describeRedis(name: string, suite: () => void): void {
  if (probe.ok) {
    describe(name, suite);
    return;
  }
  const why = `Redis at ${TEST_REDIS_URL} is unreachable (${probe.reason})`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      beforeAll(() => {
        throw new Error(
          `${why}. CI=true requires it: start Redis or set TEST_REDIS_URL.`,
        );
      });
      suite();
    });
    return;
  }
  console.warn(`Skipping "${name}": ${why}. With CI=true this fails.`);
  describe.skip(
    skippedSuiteTitle(name, `${why}; start Redis or set TEST_REDIS_URL`),
    suite,
  );
}

/** A key prefix no other test uses. */
export function randomKeyPrefix(): string {
  return `vg-test:${randomUUID()}:`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(
      cursor,
      'MATCH',
      `${prefix}*`,
      'COUNT',
      500,
    );
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

function probeRedis(url: string): { ok: true } | { ok: false; reason: string } {
  const ping = spawnSync('redis-cli', ['-u', url, 'ping'], {
    encoding: 'utf8',
    timeout: 2000,
  });
  if (ping.error) {
    return { ok: false, reason: `redis-cli: ${ping.error.message}` };
  }
  const answer = `${ping.stdout}${ping.stderr}`.trim();
  return answer === 'PONG'
    ? { ok: true }
    : {
        ok: false,
        reason: `redis-cli ping: ${answer || `exit ${ping.status}`}`,
      };
}
