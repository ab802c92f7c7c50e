-- admission (read-only): ARGV 9 seat, 10 token hash. May that token publish
-- the seat's stream now? A hold whose deadline has passed counts as gone.
local i, token = tonumber(ARGV[9]), ARGV[10]
local s = seats[i]
if s.state == 'live' then return reply({allowed = false, reason = 'already_live'}) end
local valid = s.holder ~= nil and
              not (s.state == 'reserved' and s.lease ~= nil and s.lease <= now) and
              not (s.grace ~= nil and s.grace <= now)
if s.state == 'free' or not valid then return reply({allowed = false, reason = 'no_claim'}) end
if s.token ~= token then return reply({allowed = false, reason = 'bad_token'}) end
return reply({allowed = true})
