-- release: ARGV 9 seat, 10 holder.
local i, holder = tonumber(ARGV[9]), ARGV[10]
settle()
if seats[i].holder ~= holder then return reply({refused = 'not_holder'}) end
free_held(i, 'released')
return reply({})
