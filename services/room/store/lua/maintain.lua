-- maintain: settles the room's deadlines, gives the holds of replicas whose
-- heartbeat key is gone a grace deadline (as if each holder's connection had
-- closed), and drops those replicas' viewer counts. Idempotent: any replica
-- may run it at any time.
settle()
local alive = {}
local function replica_alive(id)
  if alive[id] == nil then
    alive[id] = redis.call('EXISTS', heartbeat_prefix .. id) == 1
  end
  return alive[id]
end
for i = 0, seat_count - 1 do
  local s = seats[i]
  if s.holder and not s.grace then
    local replica = string.match(s.holder, '^(.*)/[^/]*$')
    if replica and not replica_alive(replica) then
      s.grace = now + grace_ms
      save(i, s)
    end
  end
end
local counts = redis.call('HGETALL', presence_key)
local dropped = false
for k = 1, #counts, 2 do
  if not replica_alive(counts[k]) then
    redis.call('HDEL', presence_key, counts[k])
    dropped = true
  end
end
if dropped then publish_total() end
return reply({})
