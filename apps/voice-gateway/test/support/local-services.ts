import { skippingDescribe } from '@app/simulators/shared/skip-reason.util';
import { spawnSync } from 'node:child_process';

export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = 'redis://127.0.0.1:6379';

function reachable(service: 'postgres' | 'redis'): boolean {
  const probe =
    service === 'postgres'
      ? spawnSync('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432'], {
          timeout: 3000,
        })
      : spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'ping'], {
          timeout: 3000,
        });
  return (
    probe.status === 0 &&
    (service === 'postgres' || String(probe.stdout).includes('PONG'))
  );
}

/**
 * `describe` when the local services are up; otherwise a skipping `describe` whose suite title carries
 * the reason (printed at the end of `npm test`) — except in CI (CI=true), where a missing service is a
 * failure, not a skip.
 */
export function describeWithServices(
  services: Array<'postgres' | 'redis'>,
): jest.Describe {
  const missing = services.filter((service) => !reachable(service));
  if (missing.length === 0) return describe;
  const message = `${missing.join(' and ')} not reachable on 127.0.0.1`;
  if (process.env.CI === 'true') {
    throw new Error(
      `${message}: CI must run these tests (.ci/run starts the services)`,
    );
  }
  console.warn(
    `Skipping tests that need ${services.join(' and ')}: ${message}`,
  );
  return skippingDescribe(`${message}; start them (.ci/run does)`);
}
