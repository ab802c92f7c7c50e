-- viewers: ARGV 9 JSON object seat index -> viewers of that seat's stream
-- (OME's count). Live seats take the count; others have none.
settle()
local counts = cjson.decode(ARGV[9])
for i = 0, seat_count - 1 do
  local n = counts[tostring(i)]
  if n and seats[i].state == 'live' then
    change(i, function(s) s.watching = n end)
  end
end
return reply({})
