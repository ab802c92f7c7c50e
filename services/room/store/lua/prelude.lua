-- Shared by every seat script (docs/store.md), prepended to each one.
-- KEYS: 1 seats hash, 2 meta hash, 3 event log stream, 4 presence hash.
-- ARGV: 1 room id, 2 event channel, 3 now (Unix ms), 4 seat count,
--       5 lease ms, 6 grace ms, 7 log cap, 8 heartbeat key prefix;
--       the script's own arguments follow from 9.
-- A seat record (seats hash, field = seat index, JSON): state ('free',
-- 'reserved', 'live' or 'ending': released while live, until OME's list no
-- longer has the stream), holder ('<replica>/<conn>'), token (SHA-256 hex),
-- lease and grace (Unix ms), info (stream details), watching (OME's viewer
-- count of a live seat), and the moderator's marks: locked (claims refused),
-- ended (the last broadcast was ended by the moderator), kicked (an unheld
-- live stream was kicked: ended once it goes down). A free seat without
-- marks has no field.
local seats_key, meta_key, log_key, presence_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local room, channel = ARGV[1], ARGV[2]
local now = tonumber(ARGV[3])
local seat_count = tonumber(ARGV[4])
local lease_ms, grace_ms = tonumber(ARGV[5]), tonumber(ARGV[6])
local log_cap, heartbeat_prefix = ARGV[7], ARGV[8]

local seats = {}
do
  local flat = redis.call('HGETALL', seats_key)
  for k = 1, #flat, 2 do
    seats[tonumber(flat[k])] = cjson.decode(flat[k + 1])
  end
  for i = 0, seat_count - 1 do
    if not seats[i] then seats[i] = {state = 'free'} end
  end
end

local events, kicks = {}, {}

local info_fields = {'source', 'video_codec', 'width', 'height', 'bitrate', 'framerate'}
local function same_info(a, b)
  if a == nil or b == nil then return a == b end
  for _, f in ipairs(info_fields) do
    if a[f] ~= b[f] then return false end
  end
  return true
end

-- What browsers (and the event) see of a seat; an event goes out exactly
-- when this changes, as in the in-memory model.
local function view_of(s)
  return {state = s.state, holder = s.holder, lease = s.lease, info = s.info,
          watching = s.watching, locked = s.locked, ended = s.ended}
end
local function same_view(a, b)
  return a.state == b.state and a.holder == b.holder and a.lease == b.lease and
         same_info(a.info, b.info) and a.watching == b.watching and a.locked == b.locked and
         a.ended == b.ended
end

local function save(i, s)
  if s.state == 'free' and not s.locked and not s.ended then
    redis.call('HDEL', seats_key, i)
  else
    redis.call('HSET', seats_key, i, cjson.encode(s))
  end
end

-- Numbers the event, keeps it in the room's log and publishes it.
local function emit(ev)
  ev.room = room
  ev.seq = redis.call('HINCRBY', meta_key, 'seq', 1)
  local text = cjson.encode(ev)
  redis.call('XADD', log_key, 'MAXLEN', log_cap, ev.seq .. '-0', 'e', text)
  redis.call('PUBLISH', channel, text)
  events[#events + 1] = text
end

local function change(i, fn)
  local s = seats[i]
  local before = view_of(s)
  fn(s)
  save(i, s)
  if not same_view(before, s) then
    emit({type = 'seat', index = i, state = s.state, holder = s.holder, lease = s.lease,
          info = s.info, watching = s.watching, locked = s.locked, ended = s.ended})
  end
end

-- A held seat lets go; its stream is always kicked (see space.hpp). A live
-- one stays 'ending' until its stream is gone, a reserved one is free.
-- Freed by the moderator, it shows 'ended' until claimed or live again.
local function free_held(i, reason, by_moderator)
  if not seats[i].holder then return end
  kicks[#kicks + 1] = {seat = i, reason = reason}
  change(i, function(s)
    s.state = s.state == 'live' and 'ending' or 'free'
    s.holder, s.token, s.lease, s.grace, s.info, s.watching = nil, nil, nil, nil, nil, nil
    s.ended = by_moderator or nil
  end)
end

-- Frees the seats whose lease or grace has passed at `now`.
local function settle()
  for i = 0, seat_count - 1 do
    local s = seats[i]
    if s.holder then
      local lease_over = s.state == 'reserved' and s.lease ~= nil and s.lease <= now
      local grace_over = s.grace ~= nil and s.grace <= now
      if lease_over and (not grace_over or s.lease <= s.grace) then
        free_held(i, 'lease_expired')
      elseif grace_over then
        free_held(i, 'holder_gone')
      end
    end
  end
end

local function held_by(holder)
  for i = 0, seat_count - 1 do
    if seats[i].holder == holder then return i end
  end
  return nil
end

local function next_deadline()
  local first = nil
  for i = 0, seat_count - 1 do
    local s = seats[i]
    if s.holder then
      if s.state == 'reserved' and s.lease and (not first or s.lease < first) then first = s.lease end
      if s.grace and (not first or s.grace < first) then first = s.grace end
    end
  end
  return first
end

-- The total over every replica's count; a viewers event when it changed.
local function publish_total()
  local total = 0
  for _, v in ipairs(redis.call('HVALS', presence_key)) do total = total + tonumber(v) end
  local last = tonumber(redis.call('HGET', meta_key, 'viewers') or '0')
  if total ~= last then
    redis.call('HSET', meta_key, 'viewers', total)
    emit({type = 'viewers', count = total})
  end
end

-- Every script answers {result JSON, next deadline or '', kicks JSON, events...}.
local function reply(result)
  local d = next_deadline()
  local out = {cjson.encode(result), d and string.format('%d', d) or '', cjson.encode(kicks)}
  for _, e in ipairs(events) do out[#out + 1] = e end
  return out
end
