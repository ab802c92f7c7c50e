#pragma once
// The Redis store's data as C++ values: seat records and events as the Lua
// scripts write them (lua/prelude.lua), script replies, holder ids. Pure.

#include <ovs/room/space.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ovs::room::store {

using json = nlohmann::json;

// One seat as Redis keeps it (without its token hash, which stays in Redis).
struct seat_record {
    unsigned index = 0;
    seat_state state = seat_state::free;
    std::string holder;                    // "<replica>/<conn>", empty when nobody holds it
    std::optional<std::int64_t> lease_ms;  // reserved seats: the lease's end, Unix ms
    std::optional<stream_info> info;       // live seats
    std::optional<std::size_t> watching;   // live seats, once the gateway counted
    bool locked = false;                   // the moderator's marks (space.hpp)
    bool ended_by_moderator = false;
    bool operator==(const seat_record&) const = default;
};

// One numbered event of a room: a seat's new view, or a new viewer total.
struct store_event {
    std::string room;
    std::uint64_t seq = 0;
    std::optional<seat_record> seat;  // set: a seat event; empty: a viewers event
    std::size_t viewers = 0;
    bool operator==(const store_event&) const = default;
};

struct kick_record {
    unsigned seat = 0;
    std::string reason;
};

// What every script answers (see reply() in lua/prelude.lua).
struct script_reply {
    json result;
    std::optional<std::int64_t> deadline_ms;  // the room's next lease/grace end
    std::vector<kick_record> kicks;
    std::vector<store_event> events;
};

// Event JSON as published; nullopt when it is not one of ours.
std::optional<store_event> decode_event(std::string_view text);
// The parts of a script reply; nullopt when malformed.
std::optional<script_reply> decode_reply(const std::vector<std::string>& parts);
// A seat of a snapshot script's "seats" list.
std::optional<seat_record> decode_seat(const json& j);

// Stream details as the scripts store them (every field, so that two
// equal infos compare equal in Lua). The frame rate travels as text in its
// shortest exact spelling: Lua's JSON encoder keeps only 14 digits of a
// number, and a rounded rate would differ from the in-memory model's.
json encode_info(const stream_info& info);
std::optional<stream_info> decode_info(const json& j);

std::optional<seat_state> parse_state(std::string_view s);

std::string holder_id(std::string_view replica, conn_id c);
// The connection id when `holder` is one of `replica`'s, else nullopt.
std::optional<conn_id> local_conn(std::string_view holder, std::string_view replica);

}  // namespace ovs::room::store
