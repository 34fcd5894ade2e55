-- GCRA for one bucket, on the Redis server's clock, so that every gateway
-- instance sees the same time whatever its own clock says.
--
-- KEYS[1]  the bucket. Its value is "<at> <debt>": the server time at the
--          last admission, in whole microseconds, and the debt (time for the
--          used tokens to refill) at that moment, in microseconds. Keeping the
--          debt relative keeps the fractional arithmetic on small numbers,
--          exact enough in Lua's doubles; an absolute TAT in microseconds
--          (~1.7e15) would leave a quarter of a microsecond of resolution.
-- ARGV[1]  emission interval: microseconds per token (may be fractional)
-- ARGV[2]  burst (tokens)
-- ARGV[3]  tokens requested
--
-- Returns {allowed (0 or 1), remaining tokens, retry-after in microseconds,
-- reset-after in microseconds}. The key expires when its bucket is full
-- again: an absent key is a full bucket.

-- Before Redis 5 a script must opt in to effects replication to write after
-- reading TIME; later versions do this by default and accept the call.
if redis.replicate_commands then
	redis.replicate_commands()
end

local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local tau = burst * interval
-- Admission tolerates one nanosecond of floating-point error.
local eps = 0.001

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

local debt = 0
local v = redis.call('GET', KEYS[1])
if v then
	-- A value this script did not write counts as a full bucket.
	local at, d = string.match(v, '^(%d+) (%S+)$')
	at, d = tonumber(at), tonumber(d)
	if at and d then
		debt = d - (now - at)
		if debt < 0 then
			debt = 0
		end
	end
end

local used = debt + n * interval
if used > tau + eps then
	local remaining = math.floor((tau - debt) / interval + 1e-9)
	return {0, remaining, math.ceil(used - tau), math.ceil(debt)}
end

if used > 0 then
	redis.call('SET', KEYS[1], string.format('%d %.17g', now, used), 'PX', math.max(1, math.ceil(used / 1000)))
end
local remaining = math.floor((tau - used) / interval + 1e-9)
return {1, remaining, 0, math.ceil(used)}
