-- resume: ARGV 9 seat, 10 holder, 11 token hash. Moves the hold to the
-- caller (even from a still-connected holder); a reserved seat gets a fresh
-- lease, so the new page has time to start publishing again.
local i, holder, token = tonumber(ARGV[9]), ARGV[10], ARGV[11]
settle()
local other = held_by(holder)
if other and other ~= i then return reply({refused = 'already_holding'}) end
if not seats[i].holder or seats[i].token ~= token then return reply({refused = 'bad_token'}) end
change(i, function(s)
  s.holder, s.grace = holder, nil
  if s.state == 'reserved' then s.lease = now + lease_ms end
end)
return reply({lease = seats[i].lease or (now + lease_ms)})
