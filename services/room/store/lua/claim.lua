-- claim: ARGV 9 seat, 10 holder, 11 token hash.
local i, holder, token = tonumber(ARGV[9]), ARGV[10], ARGV[11]
settle()
if held_by(holder) then return reply({refused = 'already_holding'}) end
if seats[i].locked then return reply({refused = 'seat_locked'}) end
if seats[i].state == 'ending' then return reply({refused = 'seat_ending'}) end
if seats[i].state ~= 'free' then return reply({refused = 'seat_taken'}) end
change(i, function(s)
  s.state, s.holder, s.token, s.ended = 'reserved', holder, token, nil
  s.lease, s.grace = now + lease_ms, nil
end)
return reply({lease = seats[i].lease})
