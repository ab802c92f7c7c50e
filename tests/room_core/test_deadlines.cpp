// Lease and grace expiry with injected time points, and next_deadline().
#include "helpers.hpp"

using namespace ovs::room;
using namespace ovs::room::test;

TEST_CASE("lease expiry frees a reserved seat and kicks its stream", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    sp.tick(t0);                              // the viewer count goes out (seq 1)
    const auto g = must_claim(sp, 1, 0, t0);  // seq 2
    sp.drain();
    CHECK(sp.next_deadline() == t0 + 30s);

    sp.tick(t0 + 30s - 1ms);
    CHECK(seat_in(sp, "main", 0).state == seat_state::reserved);
    CHECK(sp.drain().events.empty());
    CHECK(sp.check_admission("stream0", g.token, t0 + 30s - 1ms).allowed);
    // At the deadline the claim is over, even before tick() has run.
    CHECK(sp.check_admission("stream0", g.token, t0 + 30s).reason == refusal::no_claim);

    sp.tick(t0 + 30s);
    const auto out = sp.drain();
    const auto ev = seat_events(out);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].seat.state == seat_state::free);
    CHECK(ev[0].seq == 3);
    // An admitted stream might not have been seen yet: it is kicked.
    REQUIRE(out.kicks.size() == 1);
    CHECK(out.kicks[0].stream == "stream0");
    CHECK(out.kicks[0].reason == "lease_expired");
    CHECK_FALSE(sp.seat_of(1));
    CHECK_FALSE(sp.next_deadline());
    sp.tick(t0 + 60s);
    CHECK(sp.drain().events.empty());
}

TEST_CASE("a command at the lease end sees the seat free", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    REQUIRE_FALSE(sp.join(2, "main", t0));
    must_claim(sp, 1, 0, t0);
    sp.drain();
    // No tick in between: the claim itself settles the expired lease first.
    const auto g = must_claim(sp, 2, 0, t0 + 30s);
    CHECK(g.lease_expires == t0 + 60s);
    const auto ev = seat_events(sp.drain());
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].seat.state == seat_state::free);
    CHECK(ev[1].seat.holder == 2);
    CHECK(ev[1].seq == ev[0].seq + 1);
}

TEST_CASE("a live seat has no lease", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    must_claim(sp, 1, 0, t0);
    sp.stream_up("stream0", from("RTMP"), t0 + 1s);
    sp.tick(t0 + 1s);
    CHECK_FALSE(seat_in(sp, "main", 0).lease_expires);
    CHECK_FALSE(sp.next_deadline());
    sp.tick(t0 + 1h);
    CHECK(seat_in(sp, "main", 0).state == seat_state::live);
    CHECK(seat_in(sp, "main", 0).holder == 1);
}

TEST_CASE("stream down on a held seat starts a fresh lease", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    const auto g = must_claim(sp, 1, 0, t0);
    sp.stream_up("stream0", from("RTMP"), t0 + 1s);
    sp.stream_down("stream0", t0 + 100s);
    sp.tick(t0 + 100s);
    const auto v = seat_in(sp, "main", 0);
    CHECK(v.state == seat_state::reserved);
    CHECK(v.holder == 1);
    CHECK(v.lease_expires == t0 + 130s);
    CHECK_FALSE(v.info);
    CHECK(sp.next_deadline() == t0 + 130s);
    // The encoder may come back with the same token.
    CHECK(sp.check_admission("stream0", g.token, t0 + 101s).allowed);
    sp.tick(t0 + 130s);
    CHECK(seat_in(sp, "main", 0).state == seat_state::free);
}

TEST_CASE("holder gone: a reserved seat is freed after the grace", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    must_claim(sp, 1, 1, t0);
    sp.drain();
    sp.leave(1, t0 + 2s);
    CHECK(sp.drain().events.empty());  // the seat's view did not change
    CHECK(sp.next_deadline() == t0 + 7s);
    sp.tick(t0 + 7s - 1ms);
    CHECK(seat_in(sp, "main", 1).state == seat_state::reserved);
    sp.tick(t0 + 7s);
    const auto out = sp.drain();
    const auto ev = seat_events(out);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].seat.state == seat_state::free);
    REQUIRE(out.kicks.size() == 1);
    CHECK(out.kicks[0].reason == "holder_gone");
}

TEST_CASE("holder gone: a live seat is let go after the grace with a kick", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    must_claim(sp, 1, 2, t0);
    sp.stream_up("stream2", from("WebRTC"), t0 + 1s);
    sp.leave(1, t0 + 10s);
    sp.drain();
    CHECK(sp.next_deadline() == t0 + 15s);
    sp.tick(t0 + 14s);
    CHECK(seat_in(sp, "main", 2).state == seat_state::live);
    CHECK(sp.drain().kicks.empty());
    sp.tick(t0 + 20s);  // late tick: still freed once
    const auto out = sp.drain();
    REQUIRE(seat_events(out).size() == 1);
    REQUIRE(out.kicks.size() == 1);
    CHECK(out.kicks[0].stream == "stream2");
    CHECK(out.kicks[0].reason == "holder_gone");
    // Ending until OME no longer has the stream (test_ending.cpp).
    CHECK(seat_in(sp, "main", 2).state == seat_state::ending);
    sp.stream_down("stream2", t0 + 21s);
    CHECK(seat_in(sp, "main", 2).state == seat_state::free);
}

TEST_CASE("whichever of lease and grace ends first frees the seat", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    must_claim(sp, 1, 0, t0);
    sp.leave(1, t0 + 28s);  // grace would end at 33 s, the lease at 30 s
    CHECK(sp.next_deadline() == t0 + 30s);
    sp.drain();
    sp.tick(t0 + 40s);  // both passed: the earlier one names the reason
    const auto out = sp.drain();
    REQUIRE(out.kicks.size() == 1);
    CHECK(out.kicks[0].reason == "lease_expired");
}

TEST_CASE("a grace-period holder's stream can still go live and down", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    must_claim(sp, 1, 0, t0);
    sp.leave(1, t0 + 1s);
    sp.stream_up("stream0", from("SRT"), t0 + 2s);
    CHECK(seat_in(sp, "main", 0).state == seat_state::live);
    CHECK(sp.next_deadline() == t0 + 6s);  // the grace keeps running
    sp.stream_down("stream0", t0 + 3s);
    CHECK(seat_in(sp, "main", 0).state == seat_state::reserved);
    CHECK(sp.next_deadline() == t0 + 6s);
    sp.tick(t0 + 6s);
    CHECK(seat_in(sp, "main", 0).state == seat_state::free);
}

TEST_CASE("after tick(now) the next deadline lies in the future", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    for (conn_id c = 1; c <= 4; ++c) {
        REQUIRE_FALSE(sp.join(c, c <= 2 ? "main" : "side", t0));
    }
    must_claim(sp, 1, 0, t0);
    must_claim(sp, 3, 1, t0 + 1s);
    sp.leave(3, t0 + 2s);
    for (auto now = t0; now < t0 + 40s; now += 700ms) {
        sp.tick(now);
        const auto next = sp.next_deadline();
        if (next) {
            CHECK(*next > now);
        }
    }
    CHECK_FALSE(sp.next_deadline());
}

// A publisher admitted in the lease's last moments: its stream_up (or the
// snapshot that lists it) reaches the room after the lease's end, before a
// tick settled it. It is the holder's broadcast, not a stale stream: the
// seat goes live and nothing is kicked (the chaos test found this).
TEST_CASE("a stream admitted before the lease ended goes live even when its up comes after",
          "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    const auto g = must_claim(sp, 1, 0, t0);
    sp.drain();
    REQUIRE(sp.check_admission("stream0", g.token, t0 + 30s - 1ms).allowed);

    const bool by_snapshot = GENERATE(false, true);
    if (by_snapshot) {
        sp.streams_snapshot({{"stream0", from("WebRTC")}}, t0 + 30s + 5ms);
    } else {
        sp.stream_up("stream0", from("WebRTC"), t0 + 30s + 5ms);
    }
    const auto out = sp.drain();
    CHECK(out.kicks.empty());
    const auto ev = seat_events(out);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].seat.state == seat_state::live);
    CHECK(ev[0].seat.holder == 1);
    CHECK(sp.seat_of(1) == 0u);
    sp.tick(t0 + 60s);
    CHECK(sp.drain().kicks.empty());
    CHECK(seat_in(sp, "main", 0).state == seat_state::live);
}

// The exception is only for the lease: a holder whose grace is over is gone,
// and its stream is ended however late its up came.
TEST_CASE("a stream up after the holder's grace still ends the hold", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    must_claim(sp, 1, 0, t0);
    sp.leave(1, t0 + 1s);  // grace until t0 + 6s
    sp.drain();
    sp.stream_up("stream0", from("WebRTC"), t0 + 7s);
    const auto out = sp.drain();
    REQUIRE(out.kicks.size() == 1);
    CHECK(out.kicks[0].reason == "holder_gone");
    CHECK_FALSE(sp.seat_of(1));
}
