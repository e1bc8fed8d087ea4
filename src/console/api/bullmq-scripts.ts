/**
 * BullMQ's own steps for the console's actions, as Lua run by EVAL: one
 * atomic command each, as BullMQ runs them, checked against the user's ACL
 * (EVAL itself, then each redis.call and its keys). They follow BullMQ 5-6's
 * reprocessJob, removeJob and pause scripts for a job in the failed set and
 * a whole queue, with their includes written out; keys are named from the
 * queue's base ("bull:emails") as BullMQ's QueueKeys names them.
 */

/**
 * KEYS: job, events, failed, wait, meta, active, marker, prioritized, pc.
 * ARGV: job id, LPUSH or RPUSH (lifo). Returns 1, -1 (no such job) or -3 (not failed).
 */
export const RETRY_FAILED = `
local rcall = redis.call
local jobKey = KEYS[1]
if rcall("EXISTS", jobKey) ~= 1 then return -1 end
local jobId = ARGV[1]
if rcall("ZREM", KEYS[3], jobId) ~= 1 then return -3 end
rcall("HDEL", jobKey, "finishedOn", "processedOn", "failedReason")
local attrs = rcall("HMGET", KEYS[5], "paused", "concurrency")
local pausedOrMaxed = false
if attrs[1] then
  pausedOrMaxed = true
elseif attrs[2] then
  pausedOrMaxed = rcall("LLEN", KEYS[6]) >= tonumber(attrs[2])
end
local priority = tonumber(rcall("HGET", jobKey, "priority")) or 0
if priority == 0 then
  rcall(ARGV[2], KEYS[4], jobId)
else
  local counter = rcall("INCR", KEYS[9])
  rcall("ZADD", KEYS[8], priority * 0x100000000 + counter % 0x100000000, jobId)
end
if not pausedOrMaxed then rcall("ZADD", KEYS[7], 0, "0") end
local parentKey = rcall("HGET", jobKey, "parentKey")
if parentKey and rcall("EXISTS", parentKey) == 1 then
  if rcall("ZREM", parentKey .. ":unsuccessful", jobKey) == 1 or rcall("HDEL", parentKey .. ":failed", jobKey) == 1 then
    rcall("SADD", parentKey .. ":dependencies", jobKey)
  end
end
local maxEvents = rcall("HGET", KEYS[5], "opts.maxLenEvents")
if not maxEvents then
  maxEvents = 10000
  rcall("HSET", KEYS[5], "opts.maxLenEvents", maxEvents)
end
rcall("XADD", KEYS[2], "MAXLEN", "~", maxEvents, "*", "event", "waiting", "jobId", jobId, "prev", "failed")
return 1
`;

/**
 * KEYS: job, events, failed. ARGV: job id, the queue's base and a colon.
 * Returns 1, -1 (no such job), -3 (not failed), 0 (locked), -4 (part of a
 * flow: BullMQ's own removal knows its parents and children).
 */
export const REMOVE_FAILED = `
local rcall = redis.call
local jobKey = KEYS[1]
local jobId = ARGV[1]
if rcall("EXISTS", jobKey) ~= 1 then return -1 end
if rcall("ZSCORE", KEYS[3], jobId) == false then return -3 end
if rcall("EXISTS", jobKey .. ":lock") == 1 then return 0 end
if rcall("HEXISTS", jobKey, "parentKey") == 1 or rcall("EXISTS", jobKey .. ":dependencies", jobKey .. ":processed", jobKey .. ":failed", jobKey .. ":unsuccessful") > 0 then
  return -4
end
rcall("ZREM", KEYS[3], jobId)
local dedup = rcall("HGET", jobKey, "deid")
if dedup then
  local dedupKey = ARGV[2] .. "de:" .. dedup
  if rcall("GET", dedupKey) == jobId then
    rcall("DEL", dedupKey, ARGV[2] .. "dn:" .. dedup)
  end
end
rcall("DEL", jobKey, jobKey .. ":logs")
rcall("XADD", KEYS[2], "*", "event", "removed", "jobId", jobId, "prev", "failed")
return 1
`;

/**
 * KEYS: paused, wait, meta, prioritized, events, delayed, marker.
 * ARGV: 'paused' or 'resumed'. Resuming moves the jobs of a legacy paused
 * list back to wait, 7000 at a time as BullMQ does.
 */
export const PAUSE = `
local rcall = redis.call
local markerKey = KEYS[7]
if ARGV[1] == "paused" then
  rcall("HSET", KEYS[3], "paused", 1)
  rcall("DEL", markerKey)
else
  rcall("HDEL", KEYS[3], "paused")
  if rcall("EXISTS", KEYS[1]) == 1 then
    if rcall("EXISTS", KEYS[2]) == 0 then
      rcall("RENAME", KEYS[1], KEYS[2])
    else
      local jobs = rcall("LRANGE", KEYS[1], 0, 6999)
      rcall("RPUSH", KEYS[2], unpack(jobs))
      rcall("LTRIM", KEYS[1], #jobs, -1)
    end
  end
  if rcall("LLEN", KEYS[2]) + rcall("ZCARD", KEYS[4]) > 0 then
    rcall("ZADD", markerKey, 0, "0")
  else
    local next = rcall("ZRANGE", KEYS[6], 0, 0, "WITHSCORES")
    local at = tonumber(next[2])
    if at ~= nil then rcall("ZADD", markerKey, at / 0x1000, "1") end
  end
end
rcall("XADD", KEYS[5], "*", "event", ARGV[1])
return 1
`;
