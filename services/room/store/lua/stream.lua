-- stream: ARGV 9 'up' (10 seat, 11 info JSON), 'down' (10 seat), or 'all'
-- (10: JSON object seat index -> info of every stream of this room OME has;
-- the others go down).
settle()
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
local mode = ARGV[9]
if mode == 'up' then
  up(tonumber(ARGV[10]), cjson.decode(ARGV[11]))
elseif mode == 'down' then
  down(tonumber(ARGV[10]))
else
  local listed = cjson.decode(ARGV[10])
  for i = 0, seat_count - 1 do
    local info = listed[tostring(i)]
    if info then up(i, info) else down(i) end
  end
end
return reply({})
