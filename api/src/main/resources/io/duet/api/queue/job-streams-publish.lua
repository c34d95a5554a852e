local jobs = #KEYS - 1
for i = 1, jobs do
  local a = (i - 1) * 3
  redis.call('XADD', KEYS[i], '*', 'job', ARGV[a + 1], 'payload', ARGV[a + 2], 'attempt', '1', 'enqueued', ARGV[a + 3])
end
local relay = KEYS[#KEYS]
local epoch = redis.call('HGET', relay, 'epoch')
if not epoch then
  epoch = ARGV[#ARGV]
  redis.call('HSET', relay, 'epoch', epoch)
end
return {epoch, tostring(redis.call('HINCRBY', relay, 'seq', 1))}
