/**
 * Lua scripts behind RedisCallRegistry: each runs atomically on the Redis server, so instances
 * sharing the registry never interleave inside one step.
 *
 * Layout (prefix `p`, default `vg:`):
 * - `p calls`       sorted set: CallSid → expiry (ms since the epoch, Redis server time);
 * - `p call:<sid>`  hash: the LiveCallSummary fields (strings) and `instanceId`, with the same expiry
 *                   as its score (PEXPIREAT), so an expired call is gone from `get` at once;
 * - `p ended:<sid>` tombstone left by `remove`, so an owner back from an outage does not re-register
 *                   a call that another instance ended meanwhile.
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
   * KEYS: calls, call:<sid>, ended:<sid>. ARGV: sid, max, ttlMs, field, value, …
   * → 'duplicate' | 'at-capacity' | 'reserved'.
   */
  vgReserve: {
    keys: 3,
    lua: `${NOW_AND_PURGE}
if redis.call('EXISTS', KEYS[2]) == 1 then return 'duplicate' end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 'at-capacity' end
local expires = now + tonumber(ARGV[3])
redis.call('HSET', KEYS[2], unpack(ARGV, 4))
redis.call('PEXPIREAT', KEYS[2], expires)
redis.call('ZADD', KEYS[1], expires, ARGV[1])
redis.call('DEL', KEYS[3])
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
   * KEYS: calls, call:<sid>. ARGV: sid, streamSid, instanceId, ttlMs, field, value, …
   * Compare-and-set: only a live call without a streamSid gets the stream (and a new owner).
   * → the call's fields after the claim, or nil if refused.
   */
  vgClaimStream: {
    keys: 2,
    lua: `${NOW_AND_PURGE}
if redis.call('EXISTS', KEYS[2]) == 0 then return false end
if redis.call('HEXISTS', KEYS[2], 'streamSid') == 1 then return false end
if #ARGV > 4 then redis.call('HSET', KEYS[2], unpack(ARGV, 5)) end
redis.call('HSET', KEYS[2], 'streamSid', ARGV[2], 'instanceId', ARGV[3])
local expires = now + tonumber(ARGV[4])
redis.call('PEXPIREAT', KEYS[2], expires)
redis.call('ZADD', KEYS[1], expires, ARGV[1])
return redis.call('HGETALL', KEYS[2])`,
  },

  /**
   * KEYS: calls, call:<sid>, ended:<sid>. ARGV: sid, tombstoneMs
   * → 1 for the caller that removed the live call, else 0. Leaves a tombstone either way.
   */
  vgRemove: {
    keys: 3,
    lua: `
local removed = redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
return removed`,
  },

  /**
   * KEYS: calls. ARGV: call key prefix, tombstone key prefix, instanceId, ttlMs,
   * then per call this instance holds: sid, JSON array [field, value, …] of its last known state.
   * Extends the expiry of calls this instance owns; re-registers one that expired (Redis outage,
   * late heartbeat) unless it was ended meanwhile.
   * → per call: 'ok' | 'reasserted' | 'lost' (another instance owns it) | 'ended' (tombstone).
   */
  vgHeartbeat: {
    keys: 1,
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
  end
  out[#out + 1] = result
end
return out`,
  },
} satisfies Record<string, RegistryScript>;

export type RegistryScriptName = keyof typeof REGISTRY_SCRIPTS;
