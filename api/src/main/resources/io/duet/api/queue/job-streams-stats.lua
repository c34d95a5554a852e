local length = redis.call('XLEN', KEYS[1])
local pending = 0
local ok, summary = pcall(redis.call, 'XPENDING', KEYS[1], ARGV[1])
if ok and summary[1] then pending = summary[1] end
local oldest = ''
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
if #first > 0 then
  local f = first[1][2]
  for j = 1, #f, 2 do if f[j] == 'enqueued' then oldest = f[j + 1] end end
end
local retrying = redis.call('ZCARD', KEYS[2])
local firstRetry = redis.call('ZRANGE', KEYS[2], 0, 0)
if #firstRetry > 0 then
  local job = cjson.decode(firstRetry[1])
  if oldest == '' or tonumber(job.enqueued) < tonumber(oldest) then oldest = job.enqueued end
end
return {length, pending, retrying, redis.call('XLEN', KEYS[3]), oldest}
