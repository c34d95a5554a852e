local previous = tonumber(redis.call('GET', KEYS[1]) or '0')
local next = tonumber(ARGV[1])
if next <= previous then return -1 end
redis.call('SET', KEYS[1], next, 'PX', ARGV[2])
return previous
