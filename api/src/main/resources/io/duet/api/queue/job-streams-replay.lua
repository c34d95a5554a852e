local missing = {}
for i = 1, #ARGV do
  if #redis.call('XRANGE', KEYS[2], ARGV[i], ARGV[i]) == 0 then missing[#missing + 1] = ARGV[i] end
end
if #missing > 0 then return {-1, unpack(missing)} end
for i = 1, #ARGV do
  local f = redis.call('XRANGE', KEYS[2], ARGV[i], ARGV[i])[1][2]
  local job, payload, enqueued
  for j = 1, #f, 2 do
    if f[j] == 'job' then job = f[j + 1]
    elseif f[j] == 'payload' then payload = f[j + 1]
    elseif f[j] == 'enqueued' then enqueued = f[j + 1] end
  end
  redis.call('XADD', KEYS[1], '*', 'job', job, 'payload', payload, 'attempt', '1', 'enqueued', enqueued)
  redis.call('XDEL', KEYS[2], ARGV[i])
end
return {#ARGV}
