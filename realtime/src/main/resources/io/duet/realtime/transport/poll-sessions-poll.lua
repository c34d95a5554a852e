local session = redis.call('GET', KEYS[1])
if not session then return {0} end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local now = redis.call('TIME')
local expiry = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + tonumber(ARGV[3])
redis.call('ZADD', KEYS[4], expiry, ARGV[2])
redis.call('PEXPIRE', KEYS[4], ARGV[3])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local after = tonumber(ARGV[4])
local result = {1, session, last, 0}
if after < 0 then return result end
return read_log(KEYS[3], last, after, ARGV[5], result, 4)
