import type Redis from 'ioredis';

/**
 * Lua scripts behind RedisCallRegistry: each runs atomically on the Redis server, so instances
 * sharing the registry never interleave inside one step.
 *
 * Layout (prefix `p`, default `vg:`):
 * - `p calls`       sorted set: CallSid → expiry (ms since the epoch, Redis server time);
 * - `p call:<sid>`  hash: the LiveCallSummary fields (strings) and `instanceId`, with the same expiry
 *                   as its score (PEXPIREAT), so an expired call is gone from `get` at once;
 * - `p ended:<sid>` tombstone left by `remove`, so an owner back from an outage does not re-register
 *                   a call that another instance ended meanwhile;
 * - `p owned`       sorted set: CallSid → when the call counts as lost (its expiry, as in `calls`,
 *                   or, once a reaper has claimed it, the end of that reaper's lease), never purged
 *                   by expiry: the index through which survivors find a dead instance's calls
 *                   (vgClaimLost). Left only when the call is removed while live, or settled;
 * - `p owner`       hash: CallSid → instanceId of its owner as last seen alive (same members as `owned`).
 * Times come from the Redis server's clock (TIME): instances' clocks may disagree.
 * Keys are built inside the scripts from the prefix: fine for one Redis server, not for a Cluster.
 */

/** Sets `now` (ms) and purges expired entries from the sorted set KEYS[1]. */
const NOW_AND_PURGE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
`;

export interface RegistryScript {
  keys: number;
  lua: string;
}

export const REGISTRY_SCRIPTS = {
  /**
   * KEYS: calls, call:<sid>, ended:<sid>, owned, owner. ARGV: sid, max, ttlMs, instanceId, field, value, …
   * → 'duplicate' | 'at-capacity' | 'reserved'.
   */
  vgReserve: {
    keys: 5,
    lua: `${NOW_AND_PURGE}
if redis.call('EXISTS', KEYS[2]) == 1 then return 'duplicate' end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 'at-capacity' end
local expires = now + tonumber(ARGV[3])
redis.call('HSET', KEYS[2], unpack(ARGV, 5))
redis.call('PEXPIREAT', KEYS[2], expires)
redis.call('ZADD', KEYS[1], expires, ARGV[1])
redis.call('DEL', KEYS[3])
redis.call('ZADD', KEYS[4], expires, ARGV[1])
redis.call('HSET', KEYS[5], ARGV[1], ARGV[4])
return 'reserved'`,
  },

  /** KEYS: calls. ARGV: call key prefix → [[field, value, …], …] for live calls. */
  vgList: {
    keys: 1,
    lua: `${NOW_AND_PURGE}
local out = {}
for _, sid in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local call = redis.call('HGETALL', ARGV[1] .. sid)
  if #call > 0 then out[#out + 1] = call end
end
return out`,
  },

  /** KEYS: calls → number of live calls. */
  vgCount: {
    keys: 1,
    lua: `${NOW_AND_PURGE}
return redis.call('ZCARD', KEYS[1])`,
  },

  /** KEYS: call:<sid>. ARGV: field, value, … → 1 if the call is live (and was updated), else 0. */
  vgUpdate: {
    keys: 1,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if #ARGV > 0 then redis.call('HSET', KEYS[1], unpack(ARGV)) end
return 1`,
  },

  /**
   * KEYS: calls, call:<sid>, owned, owner. ARGV: sid, streamSid, instanceId, ttlMs, field, value, …
   * Compare-and-set: only a live call without a streamSid gets the stream (and a new owner).
   * → the call's fields after the claim, or nil if refused.
   */
  vgClaimStream: {
    keys: 4,
    lua: `${NOW_AND_PURGE}
if redis.call('EXISTS', KEYS[2]) == 0 then return false end
if redis.call('HEXISTS', KEYS[2], 'streamSid') == 1 then return false end
if #ARGV > 4 then redis.call('HSET', KEYS[2], unpack(ARGV, 5)) end
redis.call('HSET', KEYS[2], 'streamSid', ARGV[2], 'instanceId', ARGV[3])
local expires = now + tonumber(ARGV[4])
redis.call('PEXPIREAT', KEYS[2], expires)
redis.call('ZADD', KEYS[1], expires, ARGV[1])
redis.call('ZADD', KEYS[3], expires, ARGV[1])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[3])
return redis.call('HGETALL', KEYS[2])`,
  },

  /**
   * KEYS: calls, call:<sid>, ended:<sid>, owned, owner. ARGV: sid, tombstoneMs
   * → 1 for the caller that removed the live call, else 0. Leaves a tombstone either way. Drops the
   * call from the lost-call index only when it was live: a call that had expired stays there until
   * a reaper has looked at its record (vgClaimLost, vgSettleLost).
   */
  vgRemove: {
    keys: 5,
    lua: `
local removed = redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
if removed == 1 then
  redis.call('ZREM', KEYS[4], ARGV[1])
  redis.call('HDEL', KEYS[5], ARGV[1])
end
return removed`,
  },

  /**
   * KEYS: calls, owned, owner. ARGV: call key prefix, tombstone key prefix, instanceId, ttlMs,
   * then per call this instance holds: sid, JSON array [field, value, …] of its last known state.
   * Extends the expiry of calls this instance owns; re-registers one that expired (Redis outage,
   * late heartbeat) unless it was ended meanwhile (or claimed by a reaper, which leaves a tombstone).
   * → per call: 'ok' | 'reasserted' | 'lost' (another instance owns it) | 'ended' (tombstone).
   */
  vgHeartbeat: {
    keys: 3,
    lua: `${NOW_AND_PURGE}
local expires = now + tonumber(ARGV[4])
local out = {}
for i = 5, #ARGV, 2 do
  local sid = ARGV[i]
  local key = ARGV[1] .. sid
  local owner = redis.call('HGET', key, 'instanceId')
  local result
  if owner == ARGV[3] then
    result = 'ok'
  elseif redis.call('EXISTS', key) == 1 then
    result = 'lost'
  elseif redis.call('EXISTS', ARGV[2] .. sid) == 1 then
    result = 'ended'
  else
    redis.call('HSET', key, unpack(cjson.decode(ARGV[i + 1])))
    redis.call('HSET', key, 'instanceId', ARGV[3])
    result = 'reasserted'
  end
  if result == 'ok' or result == 'reasserted' then
    redis.call('PEXPIREAT', key, expires)
    redis.call('ZADD', KEYS[1], expires, sid)
    redis.call('ZADD', KEYS[2], expires, sid)
    redis.call('HSET', KEYS[3], sid, ARGV[3])
  end
  out[#out + 1] = result
end
return out`,
  },

  /**
   * KEYS: calls, owned, owner. ARGV: call key prefix, tombstone key prefix, graceMs, leaseMs, limit,
   * tombstoneMs.
   * Claims, for the calling reaper, up to `limit` calls that expired more than `graceMs` ago (their
   * owner stopped heart-beating) and whose lease (if an earlier reaper claimed them) has run out:
   * each gets a lease of `leaseMs` (no other reaper claims it meanwhile) and a tombstone (its owner,
   * should it come back, does not re-register it). A call found live again (its owner came back) is
   * re-indexed at its current expiry instead.
   * → [sid, owner instanceId ('' if unknown), …] of the claimed calls.
   */
  vgClaimLost: {
    keys: 3,
    lua: `${NOW_AND_PURGE}
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[3]),
  'LIMIT', 0, tonumber(ARGV[5]))
local out = {}
for _, sid in ipairs(due) do
  if redis.call('EXISTS', ARGV[1] .. sid) == 1 then
    local expires = redis.call('ZSCORE', KEYS[1], sid)
    if expires then redis.call('ZADD', KEYS[2], expires, sid) end
  else
    redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), sid)
    redis.call('SET', ARGV[2] .. sid, '1', 'PX', ARGV[6])
    out[#out + 1] = sid
    out[#out + 1] = redis.call('HGET', KEYS[3], sid) or ''
  end
end
return out`,
  },

  /** KEYS: owned, owner. ARGV: sid → 1 if the call was still in the lost-call index, else 0. */
  vgSettleLost: {
    keys: 2,
    lua: `
redis.call('HDEL', KEYS[2], ARGV[1])
return redis.call('ZREM', KEYS[1], ARGV[1])`,
  },
} satisfies Record<string, RegistryScript>;

export type RegistryScriptName = keyof typeof REGISTRY_SCRIPTS;

/**
 * Runs one of REGISTRY_SCRIPTS on `redis`, on which every script must have been defined
 * (`defineCommand`). Resolves the script's reply; rejects as the command does.
 */
export function runRegistryScript(
  redis: Redis,
  name: RegistryScriptName,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  const command = (redis as unknown as Record<string, ScriptCommand>)[name];
  return command.call(redis, ...keys, ...args);
}

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;
