-- depart: ARGV 9 holder. Its connection closed: the hold enters the
-- disconnect grace (no event: what browsers see does not change).
local holder = ARGV[9]
settle()
local i = held_by(holder)
if i then
  seats[i].grace = now + grace_ms
  save(i, seats[i])
end
return reply({})
