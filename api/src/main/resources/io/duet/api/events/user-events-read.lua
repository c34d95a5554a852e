local last = tonumber(redis.call('GET', KEYS[1]) or '0')
return read_log(KEYS[2], last, tonumber(ARGV[1]), ARGV[2], {last, 0}, 2)
