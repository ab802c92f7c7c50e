// The "ending" seat (issue 11): a seat released while its stream is on air
// is not offered again until OME no longer lists that stream. Every case
// runs against both stores.
#include "helpers.hpp"

using namespace ovs::room;
using namespace ovs::room::test;

namespace {

// Conn 1 holds main seat 0, live from RTMP.
void live_seat0(test_space& sp)
{
    REQUIRE_FALSE(sp.join(1, "main", t0));
    REQUIRE_FALSE(sp.join(2, "main", t0));
    must_claim(sp, 1, 0, t0);
    sp.stream_up("stream0", from("RTMP"), t0 + 1s);
    REQUIRE(seat_in(sp, "main", 0).state == seat_state::live);
    sp.drain();
}

}  // namespace

TEST_CASE("a live seat released stays ending, unclaimable, until its stream is gone",
          "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    live_seat0(sp);
    REQUIRE_FALSE(sp.release(1, 0, t0 + 2s));
    auto out = sp.drain();
    REQUIRE(out.kicks.size() == 1);
    CHECK(out.kicks[0].stream == "stream0");
    CHECK(out.kicks[0].reason == "released");
    auto ev = seat_events(out);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].seat.state == seat_state::ending);
    CHECK(ev[0].seat.holder == 0);
    CHECK_FALSE(ev[0].seat.info);
    CHECK(sp.seats_in_state(seat_state::ending) == 1);
    CHECK_FALSE(sp.seat_of(1));

    // Nobody may take it while OME still has the old stream, not even the
    // one who left it; a publisher with the old token is refused too.
    auto refused = sp.claim(2, 0, t0 + 3s);
    REQUIRE(std::holds_alternative<refusal>(refused));
    CHECK(std::get<refusal>(refused) == refusal::seat_ending);
    refused = sp.claim(1, 0, t0 + 3s);
    REQUIRE(std::holds_alternative<refusal>(refused));
    CHECK(std::get<refusal>(refused) == refusal::seat_ending);
    CHECK(sp.check_admission("stream0", "tok-1", t0 + 3s).reason == refusal::no_claim);

    // The poll still lists it (the DELETE failed): it stays ending, no event.
    sp.streams_snapshot({{"stream0", from("RTMP")}}, t0 + 4s);
    sp.stream_up("stream0", from("RTMP"), t0 + 5s);
    CHECK(seat_in(sp, "main", 0).state == seat_state::ending);
    CHECK(sp.drain().events.empty());
    // Ending has no deadline: it ends when OME says so, not by a timer.
    sp.tick(t0 + 1h);
    CHECK(seat_in(sp, "main", 0).state == seat_state::ending);

    // OME answered: the stream is gone and the seat is free for anyone.
    sp.streams_snapshot({}, t0 + 1h + 1s);
    ev = seat_events(sp.drain());
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].seat.state == seat_state::free);
    must_claim(sp, 2, 0, t0 + 1h + 2s);
}

TEST_CASE("every way a live hold ends goes through ending, a reserved one is free at once",
          "[unit][room_core]")
{
    SECTION("holder gone past grace")
    {
        auto sp = make_space(ANY_STORE);
        live_seat0(sp);
        sp.leave(1, t0 + 2s);
        sp.tick(t0 + 8s);
        const auto out = sp.drain();
        REQUIRE(out.kicks.size() == 1);
        CHECK(out.kicks[0].reason == "holder_gone");
        CHECK(seat_in(sp, "main", 0).state == seat_state::ending);
        sp.stream_down("stream0", t0 + 9s);
        CHECK(seat_in(sp, "main", 0).state == seat_state::free);
    }
    SECTION("moderator")
    {
        auto sp = make_space(ANY_STORE);
        live_seat0(sp);
        REQUIRE_FALSE(sp.moderator_end("main", 0, t0 + 2s));
        CHECK(seat_in(sp, "main", 0).state == seat_state::ending);
        CHECK(sp.drain().kicks.size() == 1);
        sp.stream_down("stream0", t0 + 3s);
        const auto v = seat_in(sp, "main", 0);
        CHECK(v.state == seat_state::free);
        CHECK(v.ended_by_moderator);
    }
    SECTION("a reserved seat (nothing on air as far as the room knows)")
    {
        auto sp = make_space(ANY_STORE);
        REQUIRE_FALSE(sp.join(1, "main", t0));
        must_claim(sp, 1, 0, t0);
        REQUIRE_FALSE(sp.release(1, 0, t0 + 1s));
        CHECK(sp.drain().kicks.size() == 1);
        CHECK(seat_in(sp, "main", 0).state == seat_state::free);
    }
    SECTION("lease expiry of an encoder that dropped")
    {
        auto sp = make_space(ANY_STORE);
        live_seat0(sp);
        sp.stream_down("stream0", t0 + 2s);  // back to reserved, fresh lease
        CHECK(seat_in(sp, "main", 0).state == seat_state::reserved);
        sp.tick(t0 + 2s + 31s);
        CHECK(seat_in(sp, "main", 0).state == seat_state::free);
    }
}

TEST_CASE("ending and seat_ending have wire names", "[unit][room_core]")
{
    CHECK(std::string(to_string(seat_state::ending)) == "ending");
    CHECK(std::string(to_string(refusal::seat_ending)) == "seat_ending");
    CHECK_FALSE(on_air(seat_state::ending));
}
