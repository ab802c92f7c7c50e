-- moderate: ARGV 9 'end' (10 seat) or 'lock' (10 seat index or 'all',
-- 11 '1' to lock, '0' to unlock). The caller has checked the moderator.
-- Ending frees a held seat at once (kick 'moderator', marked ended); a live
-- seat nobody holds (open mode) has its stream kicked and is marked ended
-- when the stream goes down. Locking changes only the seats' lock mark.
settle()
local action = ARGV[9]
if action == 'end' then
  local i = tonumber(ARGV[10])
  local s = seats[i]
  if s.holder then
    free_held(i, 'moderator', true)
  elseif s.state == 'live' then
    kicks[#kicks + 1] = {seat = i, reason = 'moderator'}
    s.kicked = true
    save(i, s)
  end
else
  local lock = ARGV[11] == '1' or nil
  local first, last = 0, seat_count - 1
  if ARGV[10] ~= 'all' then
    first = tonumber(ARGV[10])
    last = first
  end
  for i = first, last do
    change(i, function(s) s.locked = lock end)
  end
end
return reply({})
