local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
if redis.call('GET', KEYS[2]) == '1' then
  redis.call('SET', KEYS[2], '0', 'PX', ARGV[1])
  return 1
end
return 0
