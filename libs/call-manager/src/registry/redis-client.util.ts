import Redis from 'ioredis';

/** How long one Redis command may take before it rejects. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 1000;

/**
 * A Redis connection that fails fast: a command rejects after `commandTimeoutMs`, or as soon as a
 * reconnect attempt fails, instead of waiting for Redis to come back. Commands issued while the
 * first connection is being made wait for it (bounded the same way). Reconnects forever, backing
 * off up to 1 s. Listens for 'error' so a lost connection is never an unhandled error event:
 * callers log outages through `RedisOutage`.
 */
export function createRedisClient(
  url: string,
  options: { name: string; commandTimeoutMs?: number },
): Redis {
  const commandTimeout =
    options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS;
  const client = new Redis(url, {
    connectionName: options.name,
    commandTimeout,
    connectTimeout: Math.max(commandTimeout, 1000),
    // A closed socket would otherwise keep a 2 s timer (and the process) alive after disconnect().
    disconnectTimeout: 500,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  client.on('error', () => undefined);
  return client;
}
