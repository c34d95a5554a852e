-- read_log(log, last, after, limit, result, gap): appends to result the events after seq `after`
-- (at most `limit`), given the user's `last` seq, or sets result[gap] = 1 when the log no longer holds
-- seq after + 1 or `after` is ahead of `last`. Prepended to the scripts that read a user's log (the
-- API's catch-up read and the gateway's poll), so both read it the same way.
local function read_log(log, last, after, limit, result, gap)
  if after == last then return result end
  if after > last then
    result[gap] = 1
    return result
  end
  local entries = redis.call('XRANGE', log, '(' .. after .. '-0', '+', 'COUNT', limit)
  if #entries == 0 or tonumber(string.match(entries[1][1], '^(%d+)')) ~= after + 1 then
    result[gap] = 1
    return result
  end
  for _, entry in ipairs(entries) do
    result[#result + 1] = entry[2][2]
  end
  return result
end
