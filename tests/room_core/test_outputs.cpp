// A seat follows its stream's outputs: starting until OME can play it, live
// once it can, failed when OME never started it; all three hold the seat.
// The in-memory store only: the Redis store does not carry outputs states
// yet (docs/decisions.md), and the room service does not run on it yet.
#include "helpers.hpp"

using namespace ovs::room;
using namespace ovs::room::test;

namespace {

stream_info with_outputs(const std::string& source, stream_outputs o)
{
    auto i = from(source);
    i.outputs = o;
    return i;
}

}  // namespace

TEST_CASE("an admitted stream starts, then turns live when its outputs exist", "[unit][room_core]")
{
    auto sp = make_space(store_kind::memory);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    must_claim(sp, 1, 0, t0);
    sp.drain();

    sp.stream_up("stream0", with_outputs("WebRTC", stream_outputs::starting), t0 + 1s);
    auto ev = seat_events(sp.drain());
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].seat.state == seat_state::starting);
    CHECK(ev[0].seat.holder == 1);
    // Admitted: the lease no longer runs, even far past it.
    CHECK_FALSE(ev[0].seat.lease_expires);
    sp.tick(t0 + 2s);  // flushes the join's presence count
    sp.drain();
    CHECK_FALSE(sp.next_deadline());
    sp.tick(t0 + 60s);
    CHECK(seat_in(sp, "main", 0).state == seat_state::starting);
    CHECK(sp.drain().kicks.empty());
    // Nobody else gets in meanwhile: neither a claim nor a second publisher.
    REQUIRE_FALSE(sp.join(2, "main", t0 + 61s));
    const auto taken = sp.claim(2, 0, t0 + 61s);
    REQUIRE(std::holds_alternative<refusal>(taken));
    CHECK(std::get<refusal>(taken) == refusal::seat_taken);
    CHECK(sp.check_admission("stream0", "tok-1", t0 + 61s).reason == refusal::already_live);
    sp.drain();

    sp.stream_up("stream0", with_outputs("WebRTC", stream_outputs::ready), t0 + 62s);
    ev = seat_events(sp.drain());
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].seat.state == seat_state::live);
    REQUIRE(ev[0].seat.info);
    CHECK(ev[0].seat.info->outputs == stream_outputs::ready);
    CHECK(sp.seats_in_state(seat_state::live) == 1);
    CHECK(sp.seats_in_state(seat_state::starting) == 0);
}

TEST_CASE("a stream whose outputs never start fails, and recovers if they do", "[unit][room_core]")
{
    auto sp = make_space(store_kind::memory);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    must_claim(sp, 1, 1, t0);
    sp.stream_up("stream1", with_outputs("WebRTC", stream_outputs::starting), t0);
    sp.drain();

    sp.stream_up("stream1", with_outputs("WebRTC", stream_outputs::failed), t0 + 15s);
    auto ev = seat_events(sp.drain());
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].seat.state == seat_state::failed);
    CHECK(ev[0].seat.holder == 1);
    CHECK(sp.seats_in_state(seat_state::failed) == 1);
    CHECK(sp.check_admission("stream1", "tok-1", t0 + 16s).reason == refusal::already_live);

    // OME starts it after all.
    sp.stream_up("stream1", with_outputs("WebRTC", stream_outputs::ready), t0 + 20s);
    CHECK(seat_in(sp, "main", 1).state == seat_state::live);
    sp.drain();

    // The encoder stops: reserved again with a fresh lease, whatever the outputs were.
    sp.stream_up("stream1", with_outputs("WebRTC", stream_outputs::failed), t0 + 21s);
    sp.stream_down("stream1", t0 + 22s);
    const auto v = seat_in(sp, "main", 1);
    CHECK(v.state == seat_state::reserved);
    REQUIRE(v.lease_expires);
    CHECK(*v.lease_expires == t0 + 22s + 30s);
    CHECK_FALSE(v.info);
}

TEST_CASE("releasing a starting or failed seat kicks the stream, ending until it is gone",
          "[unit][room_core]")
{
    const auto outputs = GENERATE(stream_outputs::starting, stream_outputs::failed);
    auto sp = make_space(store_kind::memory);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    must_claim(sp, 1, 2, t0);
    sp.stream_up("stream2", with_outputs("RTMP", outputs), t0 + 1s);
    sp.drain();
    REQUIRE_FALSE(sp.release(1, 2, t0 + 2s));
    const auto out = sp.drain();
    REQUIRE(out.kicks.size() == 1);
    CHECK(out.kicks[0].stream == "stream2");
    CHECK(seat_in(sp, "main", 2).state == seat_state::ending);
    sp.stream_down("stream2", t0 + 3s);
    CHECK(seat_in(sp, "main", 2).state == seat_state::free);
}

TEST_CASE("unclaimed streams and snapshots carry their outputs too", "[unit][room_core]")
{
    auto sp = make_space(store_kind::memory);
    sp.streams_snapshot({{"stream0", with_outputs("RTMP", stream_outputs::starting)},
                         {"stream1", with_outputs("SRT", stream_outputs::ready)},
                         {"stream2", with_outputs("WebRTC", stream_outputs::failed)}},
                        t0);
    CHECK(seat_in(sp, "main", 0).state == seat_state::starting);
    CHECK(seat_in(sp, "main", 1).state == seat_state::live);
    CHECK(seat_in(sp, "main", 2).state == seat_state::failed);
    CHECK(seat_in(sp, "main", 0).holder == 0);
    sp.streams_snapshot({}, t0 + 1s);
    for (unsigned i = 0; i < 3; ++i) CHECK(seat_in(sp, "main", i).state == seat_state::free);
}

TEST_CASE("seat states and outputs have their wire names", "[unit][room_core]")
{
    CHECK(std::string(to_string(seat_state::starting)) == "starting");
    CHECK(std::string(to_string(seat_state::failed)) == "failed");
    CHECK(std::string(to_string(stream_outputs::ready)) == "ready");
    CHECK(on_air_state(stream_outputs::ready) == seat_state::live);
    CHECK(on_air_state(stream_outputs::starting) == seat_state::starting);
    CHECK(on_air_state(stream_outputs::failed) == seat_state::failed);
    CHECK_FALSE(on_air(seat_state::reserved));
    CHECK_FALSE(on_air(seat_state::free));
}
