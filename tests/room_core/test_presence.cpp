// Viewer counts: coalescing, sequence numbers and room isolation.
#include "helpers.hpp"

#include <ovs/room/presence.hpp>

using namespace ovs::room;
using namespace ovs::room::test;

TEST_CASE("a burst of joins yields one event with the final count", "[unit][room_core]")
{
    auto s = webhook_settings();
    s.max_viewers_per_room = 5000;
    auto sp = make_space(ANY_STORE, s);
    for (conn_id c = 1; c <= 1000; ++c) {
        REQUIRE_FALSE(sp.join(c, "main", t0 + std::chrono::microseconds(c)));
    }
    CHECK(sp.drain().events.empty());  // joins never publish by themselves
    const auto due = sp.next_deadline();
    REQUIRE(due);
    CHECK(*due == t0 + std::chrono::microseconds(1));  // first change after quiet: at once
    sp.tick(t0 + 1ms);
    const auto ev = viewer_events(sp.drain());
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].room == "main");
    CHECK(ev[0].viewers == 1000);
    CHECK(ev[0].seq == 1);
    CHECK(sp.snapshot("main")->seq == 1);
    CHECK_FALSE(sp.next_deadline());
}

TEST_CASE("presence updates respect the interval", "[unit][room_core]")
{
    auto s = webhook_settings();
    s.max_viewers_per_room = 100000;
    auto sp = make_space(ANY_STORE, s);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    sp.tick(t0);
    REQUIRE(viewer_events(sp.drain()).size() == 1);  // sent at t0

    REQUIRE_FALSE(sp.join(2, "main", t0 + 10ms));
    CHECK(sp.next_deadline() == t0 + 250ms);
    sp.tick(t0 + 100ms);
    CHECK(sp.drain().events.empty());
    REQUIRE_FALSE(sp.join(3, "main", t0 + 200ms));
    sp.tick(t0 + 249ms);
    CHECK(sp.drain().events.empty());
    sp.tick(t0 + 250ms);
    auto ev = viewer_events(sp.drain());
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].viewers == 3);

    // A change after a long quiet period goes out at the next tick.
    sp.leave(3, t0 + 10s);
    CHECK(sp.next_deadline() == t0 + 10s);
    sp.tick(t0 + 10s);
    ev = viewer_events(sp.drain());
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].viewers == 2);

    // Over a long run of churn, at most one event per interval.
    std::vector<time_point> sent;
    conn_id next = 100;
    for (auto now = t0 + 20s; now < t0 + 30s; now += 7ms) {
        if ((now - t0).count() % 2 == 0) {
            REQUIRE_FALSE(sp.join(next++, "main", now));
        } else {
            sp.join(next++, "main", now);
            sp.leave(next - 50, now);
        }
        sp.tick(now);
        for (const auto& e : viewer_events(sp.drain())) {
            (void)e;
            sent.push_back(now);
        }
    }
    REQUIRE(sent.size() > 10);
    for (std::size_t i = 1; i < sent.size(); ++i) {
        CHECK(sent[i] - sent[i - 1] >= 250ms);
    }
}

TEST_CASE("no presence event when the count returns to the sent value", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    sp.tick(t0);
    sp.drain();
    REQUIRE_FALSE(sp.join(2, "main", t0 + 1ms));
    sp.leave(2, t0 + 2ms);
    CHECK_FALSE(sp.next_deadline());
    sp.tick(t0 + 1s);
    CHECK(sp.drain().events.empty());
    CHECK(sp.snapshot("main")->seq == 1);

    // Also from zero: a join and a leave before the first tick say nothing.
    REQUIRE_FALSE(sp.join(3, "side", t0 + 2s));
    sp.leave(3, t0 + 2s);
    sp.tick(t0 + 3s);
    CHECK(sp.drain().events.empty());
}

TEST_CASE("sequence numbers are per room and shared by seat and viewer events", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    REQUIRE_FALSE(sp.join(2, "side", t0));
    must_claim(sp, 1, 0, t0);                        // main 1
    sp.tick(t0);                                     // main 2 (viewers), side 1 (viewers)
    must_claim(sp, 2, 1, t0 + 1s);                   // side 2
    sp.stream_up("stream0", from("RTMP"), t0 + 1s);  // main 3
    sp.stream_up("side1", from("RTMP"), t0 + 1s);    // side 3
    REQUIRE_FALSE(sp.join(3, "main", t0 + 2s));
    sp.tick(t0 + 2s);                        // main 4 (viewers)
    CHECK_FALSE(sp.release(1, 0, t0 + 3s));  // main 5
    const auto out = sp.drain();
    std::map<std::string, std::vector<std::uint64_t>> seqs;
    for (const auto& e : out.events) {
        std::visit([&](const auto& x) { seqs[x.room].push_back(x.seq); }, e);
    }
    CHECK(seqs["main"] == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
    CHECK(seqs["side"] == std::vector<std::uint64_t>{1, 2, 3});
    CHECK(sp.snapshot("main")->seq == 5);
    CHECK(sp.snapshot("side")->seq == 3);
    // The order of output is the order things happened.
    REQUIRE(out.events.size() == 8);
    CHECK(std::holds_alternative<seat_changed>(out.events[0]));
    CHECK(std::holds_alternative<viewers_changed>(out.events[1]));
    CHECK(sp.drain().events.empty());  // drain clears
}

TEST_CASE("rooms are isolated", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    REQUIRE_FALSE(sp.join(2, "side", t0));
    must_claim(sp, 1, 0, t0);
    must_claim(sp, 2, 0, t0);  // same index, other room
    sp.stream_up("stream0", from("RTMP"), t0);
    CHECK(seat_in(sp, "side", 0).state == seat_state::reserved);
    CHECK(seat_in(sp, "main", 0).state == seat_state::live);
    CHECK(sp.release(1, 1, t0) == refusal::not_holder);
    sp.leave(2, t0);
    sp.tick(t0 + 5s);
    CHECK(seat_in(sp, "side", 0).state == seat_state::free);
    CHECK(seat_in(sp, "main", 0).state == seat_state::live);
    CHECK(sp.snapshot("main")->viewers == 1);
    CHECK(sp.snapshot("side")->viewers == 0);
}

TEST_CASE("the presence interval grows with the room", "[unit][room_core]")
{
    using detail::presence;
    CHECK(presence::interval_for(250ms, 0) == 250ms);
    CHECK(presence::interval_for(250ms, 1000) == 250ms);  // small rooms: as configured
    CHECK(presence::interval_for(250ms, 2000) == 500ms);
    CHECK(presence::interval_for(250ms, 10000) == 2500ms);
    CHECK(presence::interval_for(250ms, 40000) == 10s);
    CHECK(presence::interval_for(250ms, 1000000) == 10s);  // the ceiling
    CHECK(presence::interval_for(20s, 1000000) == 20s);    // a longer configured one wins
    CHECK(presence::interval_for(250ms, static_cast<std::size_t>(-1)) == 10s);
}

TEST_CASE("a join storm costs O(N) viewer-count deliveries, not N squared", "[unit][room_core]")
{
    auto s = webhook_settings();
    s.max_viewers_per_room = 100000;
    // The pacing is detail::presence, shared by both stores; the in-memory one
    // keeps 20,000 joins quick.
    auto sp = make_space(store_kind::memory, s);
    // 20,000 viewers arrive over 4 s, the model ticked every millisecond. Each
    // count goes to every viewer present: deliveries = the sum of the counts.
    // With a fixed 250 ms interval that is 16 updates of up to 20,000 each
    // (about 170,000); the adaptive one keeps it near 4,000 a second.
    const std::size_t n = 20000;
    std::uint64_t deliveries = 0;
    std::size_t updates = 0;
    conn_id next = 1;
    for (auto now = t0; now <= t0 + 4s; now += 1ms) {
        for (int i = 0; i < 5 && next <= n; ++i) REQUIRE_FALSE(sp.join(next++, "main", now));
        sp.tick(now);
        for (const auto& e : viewer_events(sp.drain())) {
            deliveries += e.viewers;
            ++updates;
        }
    }
    REQUIRE(next == n + 1);
    CHECK(updates >= 4);                // the count still moves during the storm
    CHECK(deliveries <= 4 * 4000 + n);  // 4 s at 4,000 a second, plus the last update
    // And the last count arrives within the interval of the full room.
    sp.tick(t0 + 4s + detail::presence::interval_for(250ms, n));
    const auto last = viewer_events(sp.drain());
    if (!last.empty()) CHECK(last.back().viewers == n);
    CHECK(sp.snapshot("main")->viewers == n);
}
