-- reseed: ARGV 9 a sequence number already handed out. After Redis lost
-- the room (a restart without persistence) its seq starts again at 0; moving
-- it past every number browsers have seen keeps sequence numbers increasing.
local floor = tonumber(ARGV[9])
local seq = tonumber(redis.call('HGET', meta_key, 'seq') or '0')
if seq < floor then
  redis.call('HSET', meta_key, 'seq', floor)
  seq = floor
end
return reply({seq = seq})
