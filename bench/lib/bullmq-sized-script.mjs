// A script shaped like BullMQ's: about 10 KB of Lua, most of it local helper
// functions (BullMQ inlines its includes the same way, and every call
// defines them again), and a body that makes ten redis.call's on a job
// hash, a counter, a sorted set, a list and a flag key, every call. Its keys stay
// bounded however often it runs, so a long benchmark does not grow them.

/** One helper of the kind BullMQ's includes hold: string and table work, a branch that does not run. */
function helper(n) {
  return `
-- Helper ${n}: splits a field list and rebuilds it, as BullMQ's option parsers do.
local function helper${n}(key, value, limit)
  local parts = {}
  for part in string.gmatch(value or "", "[^,]+") do
    parts[#parts + 1] = part
    if #parts >= limit then break end
  end
  if #parts > 1000000 then
    local joined = table.concat(parts, ":")
    return key .. ":" .. joined .. ":" .. tostring(#parts) .. ":" .. string.rep("x", ${n})
  end
  local total = 0
  for i = 1, #parts do
    total = total + string.len(parts[i])
  end
  return total + ${n}
end
`;
}

const HELPERS = 17;

/** KEYS: job hash, counter, sorted set, list, flag. ARGV: name, data, timestamp. */
const BODY = `
local rcall = redis.call
local jobKey, counterKey, zsetKey, listKey, flagKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local id = rcall("INCR", counterKey)
rcall("HSET", jobKey, "name", ARGV[1], "data", ARGV[2], "timestamp", ARGV[3])
rcall("HINCRBY", jobKey, "attempts", 1)
rcall("ZADD", zsetKey, id, "job:" .. (id % 100))
rcall("ZREMRANGEBYRANK", zsetKey, 0, -101)
rcall("LPUSH", listKey, id)
rcall("LTRIM", listKey, 0, 99)
local name = rcall("HGET", jobKey, "name")
local seen = rcall("EXISTS", flagKey)
rcall("SET", flagKey, helper1(jobKey, name, 4) + seen)
return id
`;

export const BULLMQ_SIZED_SCRIPT = `-- A BullMQ-sized script for the benchmark (bench/lib/bullmq-sized-script.mjs).
${Array.from({ length: HELPERS }, (_, i) => helper(i + 1)).join('')}${BODY}`;

/** The script's keys and arguments, as EVALSHA takes them after the SHA (no quotes: redis-benchmark's CSV names the test by them). */
export const BULLMQ_SIZED_ARGS = ['5', 'bench:job', 'bench:id', 'bench:z', 'bench:l', 'bench:flag', 'bench-job', 'i=1;payload=pppppppppppppppppppppppppppppppp', '1795358256012'];
