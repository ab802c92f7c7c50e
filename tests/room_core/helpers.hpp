#pragma once
// Shared fixtures for the room model tests: a fixed time origin, a counting
// token source and accessors for drained outputs.

#include "store_fixture.hpp"

#include <ovs/room/space.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace ovs::room::test {

using namespace std::chrono_literals;

// An arbitrary origin; only differences matter to the model.
inline const time_point t0 = time_point{} + std::chrono::hours(1000);

// "tok-1", "tok-2", ...: distinct and predictable.
inline token_source counting_tokens()
{
    auto n = std::make_shared<int>(0);
    return [n] { return "tok-" + std::to_string(++*n); };
}

// Stream info that only knows its source.
inline stream_info from(const std::string& source)
{
    stream_info i;
    i.source = source;
    return i;
}

inline std::vector<config::room_def> two_rooms()
{
    return {{"main", "Main stage", 3, "stream"}, {"side", "Side room", 2, "side"}};
}

inline settings webhook_settings()
{
    settings s;
    s.mode = config::admission_mode::webhook;
    s.lease = 30s;
    s.disconnect_grace = 5s;
    s.presence_interval = 250ms;
    s.max_viewers_per_room = 100;
    return s;
}

inline test_space make_space(store_kind kind, settings s = webhook_settings())
{
    return test_space(kind, two_rooms(), s, counting_tokens());
}

inline std::vector<seat_changed> seat_events(const outputs& o)
{
    std::vector<seat_changed> v;
    for (const auto& e : o.events) {
        if (const auto* s = std::get_if<seat_changed>(&e)) {
            v.push_back(*s);
        }
    }
    return v;
}

inline std::vector<viewers_changed> viewer_events(const outputs& o)
{
    std::vector<viewers_changed> v;
    for (const auto& e : o.events) {
        if (const auto* s = std::get_if<viewers_changed>(&e)) {
            v.push_back(*s);
        }
    }
    return v;
}

inline seat_view seat_in(const test_space& sp, const std::string& room, unsigned i)
{
    const auto snap = sp.snapshot(room);
    REQUIRE(snap);
    REQUIRE(i < snap->seats.size());
    return snap->seats[i];
}

inline claim_granted must_claim(test_space& sp, conn_id c, unsigned seat, time_point now)
{
    auto r = sp.claim(c, seat, now);
    REQUIRE(std::holds_alternative<claim_granted>(r));
    return std::get<claim_granted>(r);
}

inline refusal must_refuse(const result<claim_granted>& r)
{
    REQUIRE(std::holds_alternative<refusal>(r));
    return std::get<refusal>(r);
}

}  // namespace ovs::room::test
