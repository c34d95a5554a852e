local count, ttl
for i, key in ipairs(KEYS) do
  local window = ARGV[2 * i - 1]
  count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, window) end
  ttl = redis.call('PTTL', key)
  if ttl < 0 then redis.call('PEXPIRE', key, window); ttl = tonumber(window) end
  if count > tonumber(ARGV[2 * i]) then return {i, count, ttl} end
end
return {0, count, ttl}
