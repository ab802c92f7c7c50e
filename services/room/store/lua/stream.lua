-- stream: ARGV 9 'up' (10 seat, 11 info JSON), 'down' (10 seat), or 'all'
-- (10: JSON object seat index -> info of every stream of this room OME has;
-- the others go down).
local function up(i, info)
  if seats[i].state == 'ending' then return end  -- the old stream, being ended
  change(i, function(s)
    if s.state ~= 'live' then s.ended = nil end  -- a new broadcast
    s.state, s.lease, s.info = 'live', nil, info
  end)
end
local function down(i)
  if seats[i].state == 'ending' then
    change(i, function(s) s.state = 'free' end)
    return
  end
  if seats[i].state ~= 'live' then return end
  change(i, function(s)
    s.info, s.watching = nil, nil
    if s.kicked then s.ended, s.kicked = true, nil end
    if s.holder then
      -- The encoder may reconnect with the same token.
      s.state, s.lease = 'reserved', now + lease_ms
    else
      s.state = 'free'
    end
  end)
end
-- A reserved seat whose holder is here: its stream is the publisher the
-- gateway admitted while the lease ran, whose news may come just after the
-- lease's end. It goes live before the deadlines are settled, so it is not
-- kicked as lease_expired (the model's admitted_while_leased).
local function admitted_while_leased(i)
  local s = seats[i]
  return s.holder ~= nil and s.state == 'reserved' and not (s.grace ~= nil and s.grace <= now)
end
local mode = ARGV[9]
if mode == 'up' then
  local i, info = tonumber(ARGV[10]), cjson.decode(ARGV[11])
  if admitted_while_leased(i) then up(i, info) end
  settle()
  up(i, info)
elseif mode == 'down' then
  settle()
  down(tonumber(ARGV[10]))
else
  local listed = cjson.decode(ARGV[10])
  for i = 0, seat_count - 1 do
    local info = listed[tostring(i)]
    if info and admitted_while_leased(i) then up(i, info) end
  end
  settle()
  for i = 0, seat_count - 1 do
    local info = listed[tostring(i)]
    if info then up(i, info) else down(i) end
  end
end
return reply({})
