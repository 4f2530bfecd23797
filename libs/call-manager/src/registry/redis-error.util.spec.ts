import { Logger } from '@nestjs/common';
import { createRedisClient } from './redis-client.util';
import { describeRedisError, redisEndpoint } from './redis-error.util';
import { RedisOutage } from './redis-outage.util';

/** What a real ioredis client reports against a port nothing listens on: the event's and a command's errors. */
async function refusedErrors(): Promise<{ event: Error; command: unknown }> {
  const client = createRedisClient('redis://127.0.0.1:1', { name: 'probe' });
  try {
    const event = new Promise<Error>((resolve) =>
      client.once('error', resolve),
    );
    const command = await client.ping().then(
      () => undefined,
      (err: unknown) => err,
    );
    return { event: await event, command };
  } finally {
    client.disconnect();
  }
}

describe("Redis errors in an operator's words", () => {
  it('names the server of a REDIS_URL without its credentials', () => {
    expect(redisEndpoint('redis://:pw@cache.internal:6380/2')).toBe(
      'cache.internal:6380',
    );
    expect(redisEndpoint('rediss://user:pw@10.0.0.5')).toBe('10.0.0.5:6379');
    expect(redisEndpoint('not a url')).toBeUndefined();
  });

  it("turns ioredis's own errors for a refused connection into 'Redis at host:port unreachable (ECONNREFUSED)'", async () => {
    const { event, command } = await refusedErrors();
    // What ioredis says, and what an operator reads instead.
    expect((command as Error).message).toMatch(/max retries per request/);
    expect(describeRedisError(event)).toBe(
      'Redis at 127.0.0.1:1 unreachable (ECONNREFUSED)',
    );
    expect(describeRedisError(command, '127.0.0.1:1', 'ECONNREFUSED')).toBe(
      'Redis at 127.0.0.1:1 unreachable (ECONNREFUSED)',
    );
    expect(describeRedisError(command, '127.0.0.1:1')).toBe(
      'Redis at 127.0.0.1:1 unreachable (not connected)',
    );
  });

  it('words unresolvable hosts, timeouts, closed connections, auth and replica errors', () => {
    const notFound = Object.assign(
      new Error('getaddrinfo ENOTFOUND cache.internal'),
      { code: 'ENOTFOUND', hostname: 'cache.internal' },
    );
    expect(describeRedisError(notFound, 'cache.internal:6379')).toBe(
      'Redis at cache.internal unreachable (ENOTFOUND)',
    );
    const at = 'cache.internal:6379';
    expect(describeRedisError(new Error('Command timed out'), at)).toBe(
      'Redis at cache.internal:6379 did not answer in time (command timeout)',
    );
    expect(describeRedisError(new Error('Connection is closed.'), at)).toBe(
      'Redis at cache.internal:6379 unreachable (connection closed)',
    );
    expect(
      describeRedisError(
        new Error('WRONGPASS invalid username-password pair'),
        at,
      ),
    ).toBe(
      'Redis at cache.internal:6379 refused the credentials in REDIS_URL (WRONGPASS)',
    );
    expect(
      describeRedisError(
        new Error("READONLY You can't write against a read only replica."),
        at,
      ),
    ).toBe(
      'Redis at cache.internal:6379 is a read-only replica (READONLY): point REDIS_URL at the primary',
    );
    expect(describeRedisError(new Error('ERR unknown command'), at)).toBe(
      'Redis at cache.internal:6379: ERR unknown command',
    );
    expect(describeRedisError('odd')).toBe('Redis: odd');
  });

  it('RedisOutage logs the outage once, naming the server, and the recovery', async () => {
    const logger = new Logger('test');
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(logger, 'log').mockImplementation(() => undefined);
    const outage = new RedisOutage(logger, 'Call registry', '127.0.0.1:1');
    const { event, command } = await refusedErrors();
    outage.failed(command, 'heartbeat');
    outage.failed(event, 'connection');
    outage.failed(command, 'heartbeat');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toEqual({
      err: 'Redis at 127.0.0.1:1 unreachable (not connected)',
      during: 'heartbeat',
      msg: 'Call registry: Redis at 127.0.0.1:1 unreachable (not connected); retrying',
    });
    // Later command errors carry the connection's code.
    expect(outage.current).toBe(
      'Redis at 127.0.0.1:1 unreachable (ECONNREFUSED)',
    );
    expect(JSON.stringify(warn.mock.calls)).not.toMatch(/maxRetriesPerRequest/);
    expect(outage.recovered()).toBe(true);
    expect(log).toHaveBeenCalledWith({
      msg: 'Call registry: Redis at 127.0.0.1:1 reachable again',
    });
  });
});
