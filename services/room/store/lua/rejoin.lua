-- rejoin: ARGV 9 holder, 10 'back' (the connection joined this room again:
-- its hold leaves the grace) or 'moved' (it joined another room: a holder
-- lives in its seat's room, so the seat is freed).
local holder, mode = ARGV[9], ARGV[10]
settle()
local i = held_by(holder)
if i then
  if mode == 'back' then
    seats[i].grace = nil
    save(i, seats[i])
  else
    free_held(i, 'holder_gone')
  end
end
return reply({})
