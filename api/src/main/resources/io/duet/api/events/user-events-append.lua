local seq = redis.call('INCR', KEYS[1])
local event = '{"seq":' .. seq .. ',"type":"' .. ARGV[1] .. '","data":' .. ARGV[2] .. '}'
local added = redis.pcall('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], seq .. '-0', 'e', event)
if type(added) == 'table' and added.err then
  -- The counter was lost while the log survived: continue after the log's last entry.
  local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
  seq = tonumber(string.match(last[1][1], '^(%d+)')) + 1
  redis.call('SET', KEYS[1], seq)
  event = '{"seq":' .. seq .. ',"type":"' .. ARGV[1] .. '","data":' .. ARGV[2] .. '}'
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], seq .. '-0', 'e', event)
end
redis.call('PEXPIRE', KEYS[2], ARGV[4])
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', nowMs)
local nodes = redis.call('ZRANGE', KEYS[3], 0, -1)
for _, node in ipairs(nodes) do
  redis.call('PUBLISH', ARGV[5] .. node, ARGV[6] .. ' ' .. event)
end
return seq
