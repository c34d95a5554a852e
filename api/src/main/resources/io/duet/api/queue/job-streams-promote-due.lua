local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, member in ipairs(due) do
  local job = cjson.decode(member)
  redis.call('XADD', KEYS[1], '*', 'job', job.job, 'payload', job.payload,
    'attempt', job.attempt, 'enqueued', job.enqueued)
  redis.call('ZREM', KEYS[2], member)
end
return #due
