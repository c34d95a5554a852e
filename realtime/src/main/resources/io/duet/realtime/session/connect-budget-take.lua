local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local burst = tonumber(ARGV[1])
local refill = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or nowMs
tokens = math.min(burst, tokens + (nowMs - at) / refill)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * refill)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', nowMs)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * refill))
return wait
