-- presence: ARGV 9 replica id, 10 its viewer count of this room. Publishes
-- the total over all replicas when it changed.
local replica, count = ARGV[9], tonumber(ARGV[10])
if count == 0 then
  redis.call('HDEL', presence_key, replica)
else
  redis.call('HSET', presence_key, replica, count)
end
publish_total()
return reply({})
