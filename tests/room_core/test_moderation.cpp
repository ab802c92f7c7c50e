// Moderation (end a broadcast, lock seats) and per-seat viewer counts, in
// both stores (store_fixture.hpp).
#include "helpers.hpp"

using namespace ovs::room;
using namespace ovs::room::test;

TEST_CASE("the moderator ends a held live seat: let go at once, kicked, marked",
          "[unit][room_core][redis]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    must_claim(sp, 1, 2, t0);
    sp.stream_up("stream2", from("RTMP"), t0 + 1s);
    sp.drain();
    REQUIRE_FALSE(sp.moderator_end("main", 2, t0 + 2s));
    auto out = sp.drain();
    REQUIRE(out.kicks.size() == 1);
    CHECK(out.kicks[0].stream == "stream2");
    CHECK(out.kicks[0].reason == "moderator");
    auto ev = seat_events(out);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].seat.state == seat_state::ending);
    CHECK(ev[0].seat.ended_by_moderator);
    CHECK_FALSE(sp.seat_of(1));
    // The old token no longer admits a publish.
    CHECK_FALSE(sp.check_admission("stream2", "tok-1", t0 + 3s).allowed);
    // OME ended it: free, still marked; a new claim clears the mark.
    sp.stream_down("stream2", t0 + 3s);
    CHECK(seat_in(sp, "main", 2).state == seat_state::free);
    CHECK(seat_in(sp, "main", 2).ended_by_moderator);
    REQUIRE_FALSE(sp.join(2, "main", t0 + 3s));
    must_claim(sp, 2, 2, t0 + 3s);
    CHECK_FALSE(seat_in(sp, "main", 2).ended_by_moderator);
}

TEST_CASE("ending a stream nobody holds kicks it, the seat is marked when it goes down",
          "[unit][room_core][redis]")
{
    auto sp = make_space(ANY_STORE);
    sp.stream_up("stream1", from("RTMP"), t0);
    sp.drain();
    REQUIRE_FALSE(sp.moderator_end("main", 1, t0 + 1s));
    auto out = sp.drain();
    REQUIRE(out.kicks.size() == 1);
    CHECK(out.events.empty());  // still live until OME says it is gone
    sp.stream_down("stream1", t0 + 2s);
    const auto v = seat_in(sp, "main", 1);
    CHECK(v.state == seat_state::free);
    CHECK(v.ended_by_moderator);
    // A new stream on the seat is a new broadcast: the mark goes.
    sp.stream_up("stream1", from("SRT"), t0 + 3s);
    CHECK_FALSE(seat_in(sp, "main", 1).ended_by_moderator);
}

TEST_CASE("ending a free seat does nothing, bad rooms and seats are refused",
          "[unit][room_core][redis]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.moderator_end("main", 0, t0));
    CHECK(sp.drain().events.empty());
    CHECK(sp.moderator_end("nope", 0, t0) == refusal::unknown_room);
    CHECK(sp.moderator_end("main", 3, t0) == refusal::bad_seat);
    CHECK(sp.set_locked("nope", std::nullopt, true, t0) == refusal::unknown_room);
    CHECK(sp.set_locked("main", 7u, true, t0) == refusal::bad_seat);
}

TEST_CASE("a locked seat refuses claims, its holder keeps it, unlock opens it again",
          "[unit][room_core][redis]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    REQUIRE_FALSE(sp.join(2, "main", t0));
    must_claim(sp, 1, 0, t0);
    sp.drain();
    REQUIRE_FALSE(sp.set_locked("main", 0u, true, t0 + 1s));
    REQUIRE_FALSE(sp.set_locked("main", 1u, true, t0 + 1s));
    auto ev = seat_events(sp.drain());
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].seat.locked);
    CHECK(ev[0].seat.holder == 1);  // still held
    auto refused = sp.claim(2, 1, t0 + 2s);
    REQUIRE(std::holds_alternative<refusal>(refused));
    CHECK(std::get<refusal>(refused) == refusal::seat_locked);
    // The holder's publisher is still admitted and the seat goes live.
    CHECK(sp.check_admission("stream0", "tok-1", t0 + 2s).allowed);
    sp.stream_up("stream0", from("WebRTC"), t0 + 3s);
    CHECK(seat_in(sp, "main", 0).state == seat_state::live);
    // Locking again changes nothing: no event.
    REQUIRE_FALSE(sp.set_locked("main", 1u, true, t0 + 4s));
    CHECK(sp.drain().events.size() == 1);  // only the stream_up above
    REQUIRE_FALSE(sp.set_locked("main", 1u, false, t0 + 5s));
    CHECK(std::holds_alternative<claim_granted>(sp.claim(2, 1, t0 + 6s)));
}

TEST_CASE("locking the whole room locks every seat of that room only", "[unit][room_core][redis]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.set_locked("main", std::nullopt, true, t0));
    for (unsigned i = 0; i < 3; ++i) CHECK(seat_in(sp, "main", i).locked);
    CHECK_FALSE(seat_in(sp, "side", 0).locked);
    CHECK(seat_events(sp.drain()).size() == 3);
    REQUIRE_FALSE(sp.set_locked("main", std::nullopt, false, t0 + 1s));
    for (unsigned i = 0; i < 3; ++i) CHECK_FALSE(seat_in(sp, "main", i).locked);
}

TEST_CASE("open mode: a locked seat takes no new stream, a live one keeps playing",
          "[unit][room_core][redis]")
{
    auto s = webhook_settings();
    s.mode = ovs::config::admission_mode::open;
    auto sp = make_space(ANY_STORE, s);
    sp.stream_up("stream1", from("RTMP"), t0);
    REQUIRE_FALSE(sp.set_locked("main", std::nullopt, true, t0 + 1s));
    const auto a = sp.check_admission("stream0", "", t0 + 2s);
    CHECK_FALSE(a.allowed);
    CHECK(a.reason == refusal::seat_locked);
    CHECK(sp.check_admission("stream1", "", t0 + 2s).allowed);
}

TEST_CASE("per-seat viewer counts: live seats only, an event per change, gone when down",
          "[unit][room_core][redis]")
{
    auto sp = make_space(ANY_STORE);
    sp.stream_up("stream0", from("RTMP"), t0);
    sp.drain();
    sp.stream_viewers({{"stream0", 4}, {"stream1", 9}, {"nosuch", 1}}, t0 + 1s);
    auto ev = seat_events(sp.drain());
    REQUIRE(ev.size() == 1);  // stream1's seat is not live: no count
    CHECK(ev[0].seat.index == 0);
    CHECK(ev[0].seat.watching == std::optional<std::size_t>(4));
    CHECK_FALSE(seat_in(sp, "main", 1).watching);
    sp.stream_viewers({{"stream0", 4}}, t0 + 2s);
    CHECK(sp.drain().events.empty());
    sp.stream_viewers({}, t0 + 3s);  // not listed: keeps its count
    CHECK(seat_in(sp, "main", 0).watching == std::optional<std::size_t>(4));
    sp.stream_down("stream0", t0 + 4s);
    CHECK_FALSE(seat_in(sp, "main", 0).watching);
}
