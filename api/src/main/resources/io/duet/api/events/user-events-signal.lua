local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local nodes = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. nowMs, '+inf')
local event = '{"seq":0,"type":"' .. ARGV[1] .. '","data":' .. ARGV[2] .. '}'
for _, node in ipairs(nodes) do
  redis.call('PUBLISH', ARGV[3] .. node, ARGV[4] .. ' ' .. event)
end
return #nodes
