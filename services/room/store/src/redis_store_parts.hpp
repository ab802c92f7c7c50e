#pragma once
// What the two halves of the Redis store's shell share (redis_store.cpp:
// lifecycle, script runs and other replicas' events; redis_store_commands.cpp:
// the room_store calls): the per-room runtime record and the readers of a
// script's reply. Private to services/room/store.

#include "lua_sources.hpp"

#include <ovs/room/redis_store.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ovs::room {

struct redis_store::room_rt {
    config::room_def def;
    std::vector<std::string> keys;  // seats, meta, log, presence (KEYS of every script)
    std::string channel;
    store::room_mirror mirror;
    detail::presence presence;  // this replica's viewers, coalesced
    std::size_t reported = 0;   // the count this replica last sent to Redis
    bool loaded = false;        // a snapshot has been applied
    bool loading = false;
    std::optional<std::int64_t> deadline_ms;  // from the last script reply for this room

    room_rt(const config::room_def& d,
            const std::string& prefix,
            std::chrono::milliseconds interval)
        : def(d), mirror(d.seats), presence(interval)
    {
        const std::string base = prefix + ":room:{" + d.id + "}:";
        keys = {base + "seats", base + "meta", base + "log", base + "presence"};
        channel = base + "events";
    }
};

namespace store_detail {

// The script object of a Lua body (lua_sources.hpp), made once per process.
const redis::script& script_of(const char* body);
// The refusal a script names, or nothing for a name this build does not know.
std::optional<refusal> refusal_named(const std::string& code);
// The refusal in a script's reply ({refused = "seat_taken"}), if it refused;
// a name this build does not know is store_unavailable.
std::optional<refusal> refused(const store::script_reply& r);
// A number in a script's reply (Redis turns Lua numbers into integers, but
// a reply may carry a float), or nothing.
std::optional<std::int64_t> result_number(const store::script_reply& r, const char* key);
// Runs `done` once `n` parts have finished (at once when n is 0).
done_void countdown(std::size_t n, done_void done);

}  // namespace store_detail

}  // namespace ovs::room
