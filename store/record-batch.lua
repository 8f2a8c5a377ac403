-- Records one batch of a job atomically and at most once: the batch's counts go into the job,
-- each divergence instance into its signature's record. A retried batch finds its index already
-- in the job's batch hash and changes nothing, so totals never double-count.
-- ARGV: prefix, jobId, batchIndex, countsJson, divergencesJson, nowIso, nowMs, examplesCap
local p, job, idx = ARGV[1], ARGV[2], ARGV[3]
local counts = cjson.decode(ARGV[4])
local divs = cjson.decode(ARGV[5])
local nowIso, nowMs, cap = ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8])
local jk = p .. 'job:' .. job

if redis.call('EXISTS', jk) == 0 then return {-1} end
if redis.call('HSETNX', jk .. ':batches', idx, ARGV[4]) == 0 then return {0} end

redis.call('HINCRBY', jk, 'programs', counts.programs)
redis.call('HINCRBY', jk, 'agreed', counts.agreed)
redis.call('HINCRBY', jk, 'divergences', #divs)
redis.call('HINCRBY', jk, 'busyMs', counts.busyMs)
redis.call('HINCRBY', jk, 'batchesDone', 1)
if counts.soundness then
  redis.call('HINCRBY', jk, 'soundPrograms', counts.soundness.programs)
  redis.call('HINCRBY', jk, 'soundValues', counts.soundness.values)
  redis.call('HINCRBY', jk, 'soundComplete', counts.soundness.complete)
end
for class, n in pairs(counts.byClass) do
  redis.call('HINCRBY', jk .. ':classes', class, n)
  redis.call('HINCRBY', p .. 'metrics:classes', class, n)
end
redis.call('HINCRBY', p .. 'metrics', 'programs', counts.programs)
redis.call('HINCRBY', p .. 'metrics', 'batches', 1)
redis.call('HINCRBY', p .. 'metrics', 'vmRestarts', counts.vmRestarts)

local fresh = {}
for _, d in ipairs(divs) do
  local dk = p .. 'div:' .. d.id
  if redis.call('HSETNX', dk, 'id', d.id) == 1 then
    redis.call('HSET', dk, 'signature', d.signature, 'class', d.class, 'profile', d.profile,
      'mutation', d.mutation or '', 'detail', d.detail, 'firstSeen', nowIso, 'firstJob', job,
      'status', 'new', 'count', 0)
    table.insert(fresh, d.id)
  end
  redis.call('HINCRBY', dk, 'count', 1)
  redis.call('HSET', dk, 'lastSeen', nowIso, 'lastJob', job)
  redis.call('SADD', dk .. ':kernels', d.kernel)
  if redis.call('LLEN', dk .. ':examples') < cap then
    redis.call('RPUSH', dk .. ':examples', d.example)
  end
  redis.call('ZINCRBY', p .. 'divs:count', 1, d.id)
  redis.call('ZADD', p .. 'divs:lastSeen', nowMs, d.id)
  redis.call('SADD', jk .. ':divergences', d.id)
end
redis.call('HINCRBY', jk, 'newSignatures', #fresh)

local state = redis.call('HGET', jk, 'state')
local done = tonumber(redis.call('HGET', jk, 'batchesDone'))
local total = tonumber(redis.call('HGET', jk, 'batchesTotal') or '-1')
if (state == 'running' or state == 'queued') and total >= 0 and done >= total then
  redis.call('HSET', jk, 'state', 'completed', 'finishedAt', nowIso)
end

local out = {1}
for _, id in ipairs(fresh) do table.insert(out, id) end
return out
