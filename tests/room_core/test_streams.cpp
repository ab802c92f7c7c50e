// Stream events, snapshot reconciliation and admission in both modes.
#include "helpers.hpp"

using namespace ovs::room;
using namespace ovs::room::test;

TEST_CASE("stream up turns a reserved seat live with its info", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    must_claim(sp, 1, 0, t0);
    sp.drain();
    const stream_info info{"WebRTC", "H264", 1280, 720, 2500000};
    sp.stream_up("stream0", info, t0 + 1s);
    auto ev = seat_events(sp.drain());
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].seat.state == seat_state::live);
    CHECK(ev[0].seat.holder == 1);
    CHECK(ev[0].seat.info == info);
    CHECK_FALSE(ev[0].seat.lease_expires);

    // The same again: nothing changed, no event.
    sp.stream_up("stream0", info, t0 + 2s);
    CHECK(sp.drain().events.empty());
    // New info: an event.
    auto bigger = info;
    bigger.width = 1920;
    bigger.height = 1080;
    sp.stream_up("stream0", bigger, t0 + 3s);
    ev = seat_events(sp.drain());
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].seat.info == bigger);
}

TEST_CASE("an unclaimed stream makes the seat live without holder", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    sp.stream_up("stream1", from("RTMP"), t0);
    auto v = seat_in(sp, "main", 1);
    CHECK(v.state == seat_state::live);
    CHECK(v.holder == 0);
    REQUIRE(v.info);
    CHECK(v.info->source == "RTMP");
    CHECK(sp.seats_in_state(seat_state::live) == 1);
    CHECK_FALSE(sp.next_deadline());
    sp.stream_down("stream1", t0 + 1s);
    v = seat_in(sp, "main", 1);
    CHECK(v.state == seat_state::free);
    CHECK_FALSE(v.info);
    CHECK(seat_events(sp.drain()).size() == 2);
}

TEST_CASE("unknown streams and redundant downs are ignored", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    must_claim(sp, 1, 0, t0);
    sp.drain();
    sp.stream_up("elsewhere", from("RTMP"), t0);
    sp.stream_down("elsewhere", t0);
    sp.stream_down("stream0", t0);  // reserved, not live: nothing to do
    sp.stream_down("stream1", t0);  // free
    CHECK(sp.drain().events.empty());
    CHECK(seat_in(sp, "main", 0).state == seat_state::reserved);
}

TEST_CASE("streams_snapshot reconciles every seat", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    must_claim(sp, 1, 0, t0);
    sp.stream_up("stream0", from("WebRTC"), t0);
    sp.stream_up("stream2", from("RTMP"), t0);
    sp.stream_up("side0", from("SRT"), t0);
    sp.drain();

    // stream0 stays (same info), stream2 and side0 go away, stream1 and side1
    // come up, a stranger is ignored.
    sp.streams_snapshot({{"stream0", from("WebRTC")},
                         {"stream1", from("WHIP")},
                         {"side1", from("RTMP")},
                         {"stranger", from("RTMP")}},
                        t0 + 1s);
    const auto ev = seat_events(sp.drain());
    REQUIRE(ev.size() == 4);
    CHECK(ev[0].room == "main");
    CHECK(ev[0].seat.index == 1);
    CHECK(ev[0].seat.state == seat_state::live);
    CHECK(ev[1].seat.index == 2);
    CHECK(ev[1].seat.state == seat_state::free);
    CHECK(ev[2].room == "side");
    CHECK(ev[2].seat.index == 0);
    CHECK(ev[2].seat.state == seat_state::free);
    CHECK(ev[3].seat.index == 1);
    CHECK(ev[3].seat.state == seat_state::live);
    CHECK(seat_in(sp, "main", 0).holder == 1);

    // The same snapshot again changes nothing.
    sp.streams_snapshot(
        {{"stream0", from("WebRTC")}, {"stream1", from("WHIP")}, {"side1", from("RTMP")}}, t0 + 2s);
    CHECK(sp.drain().events.empty());

    // An empty snapshot: everything down; the held seat becomes reserved.
    sp.streams_snapshot({}, t0 + 3s);
    CHECK(sp.drain().events.size() == 3);
    CHECK(sp.seats_in_state(seat_state::live) == 0);
    CHECK(seat_in(sp, "main", 0).state == seat_state::reserved);
    CHECK(seat_in(sp, "main", 0).lease_expires == t0 + 33s);
    CHECK(sp.seats_in_state(seat_state::reserved) == 1);

    // Info changes in a snapshot produce a seat event.
    sp.streams_snapshot({{"stream0", from("WebRTC")}}, t0 + 4s);
    sp.drain();
    sp.streams_snapshot({{"stream0", {"WebRTC", "VP8", 640, 480, 0}}}, t0 + 5s);
    const auto ev2 = seat_events(sp.drain());
    REQUIRE(ev2.size() == 1);
    CHECK(ev2[0].seat.info->video_codec == "VP8");
}

TEST_CASE("admission in webhook mode", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    const auto g = must_claim(sp, 1, 0, t0);

    CHECK(sp.check_admission("nope", g.token, t0).reason == refusal::unknown_stream);
    CHECK(sp.check_admission("stream1", g.token, t0).reason == refusal::no_claim);
    CHECK(sp.check_admission("side0", g.token, t0).reason == refusal::no_claim);
    CHECK(sp.check_admission("stream0", "", t0).reason == refusal::bad_token);
    CHECK(sp.check_admission("stream0", g.token + "x", t0).reason == refusal::bad_token);
    CHECK(sp.check_admission("stream0", g.token.substr(1), t0).reason == refusal::bad_token);
    CHECK(sp.check_admission("stream0", "tok-2", t0).reason == refusal::bad_token);
    const auto ok = sp.check_admission("stream0", g.token, t0);
    CHECK(ok.allowed);
    CHECK_FALSE(ok.reason);

    // Live already: even the right token is refused (an intruder must not
    // disturb the holder, and OME would refuse the duplicate anyway).
    sp.stream_up("stream0", from("WebRTC"), t0 + 1s);
    const auto live = sp.check_admission("stream0", g.token, t0 + 1s);
    CHECK_FALSE(live.allowed);
    CHECK(live.reason == refusal::already_live);
    sp.stream_up("stream1", from("RTMP"), t0 + 1s);  // unclaimed live
    CHECK(sp.check_admission("stream1", "", t0 + 1s).reason == refusal::already_live);

    // The holder's connection is gone and its grace over: no claim any more.
    sp.stream_down("stream0", t0 + 2s);
    sp.leave(1, t0 + 2s);
    CHECK(sp.check_admission("stream0", g.token, t0 + 6s).allowed);
    CHECK(sp.check_admission("stream0", g.token, t0 + 7s).reason == refusal::no_claim);

    // Claim, two ups and one down; the admission checks added nothing.
    CHECK(seat_events(sp.drain()).size() == 4);
}

TEST_CASE("admission in open mode allows any seat stream", "[unit][room_core]")
{
    auto s = webhook_settings();
    s.mode = ovs::config::admission_mode::open;
    auto sp = make_space(ANY_STORE, s);
    CHECK(sp.check_admission("stream0", "", t0).allowed);
    CHECK(sp.check_admission("side1", "whatever", t0).allowed);
    const auto bad = sp.check_admission("other", "", t0);
    CHECK_FALSE(bad.allowed);
    CHECK(bad.reason == refusal::unknown_stream);
    sp.stream_up("stream0", from("RTMP"), t0);
    CHECK(sp.check_admission("stream0", "", t0).allowed);
    CHECK(seat_in(sp, "main", 0).holder == 0);
}
