-- snapshot (read-only): the room's seats, seq and viewer total, at once.
local meta = redis.call('HMGET', meta_key, 'seq', 'viewers')
local out = {seq = tonumber(meta[1] or '0'), viewers = tonumber(meta[2] or '0'), seats = {}}
for i = 0, seat_count - 1 do
  local s = seats[i]
  if s.state ~= 'free' or s.locked or s.ended then
    out.seats[#out.seats + 1] = {index = i, state = s.state, holder = s.holder, lease = s.lease,
                                 info = s.info, watching = s.watching, locked = s.locked,
                                 ended = s.ended}
  end
end
return reply(out)
