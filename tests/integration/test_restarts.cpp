// Scenario 4: restarting the gateway, and restarting the room service,
// reconciles within one poll: seats live in OME show live again, a stream
// that ended meanwhile is gone, and reconnecting viewers get the right
// snapshot.

#include "scenario.hpp"

#include <catch2/catch.hpp>

using namespace ovs::integration;

TEST_CASE("a gateway restart reconciles the seats with OME", "[integration]")
{
    cluster c;
    browser_pool pool;
    browser holder(pool, c.room_port(), "main");
    browser viewer(pool, c.room_port(), "main");
    REQUIRE(holder.wait_open());
    REQUIRE(viewer.wait_open());
    auto seat0 = claim_seat(holder, 0);
    REQUIRE(seat0);
    auto seat1 = claim_seat(viewer, 1);
    REQUIRE(seat1);
    auto live0 =
        c.media().publish(ingest::rtmp, seat0->stream, publish_query(*seat0, ingest::rtmp));
    auto live1 = c.media().publish(ingest::srt, seat1->stream, publish_query(*seat1, ingest::srt));
    REQUIRE(live0.admitted);
    REQUIRE(live1.admitted);
    REQUIRE(viewer.wait_seat_state(0, "live", event_bound));
    REQUIRE(viewer.wait_seat_state(1, "live", event_bound));

    c.kill_gateway();
    // Without its gateway the room cannot tell how OME is: "unknown"
    // (reachable null), never "unreachable" (false), which OME is not.
    auto media_unknown = [&] {
        const auto m = viewer.media();
        return m && m->contains("reachable") && (*m)["reachable"].is_null() &&
               m->value("stale", false);
    };
    CHECK(viewer.wait(media_unknown, event_bound));
    // While the gateway is away, seat 1's encoder stops (its closing
    // webhook finds nobody).
    c.media().unpublish(live1);
    c.start_gateway();
    REQUIRE(c.wait_room_linked());

    // One poll after the link is back: seat 0 live, seat 1 no longer live.
    const auto bound = std::chrono::milliseconds(c.options().poll_ms) + event_bound;
    CHECK(viewer.wait_seat(
        0, [](const seat_view& s) { return seat_live_from(s, "RTMP"); }, bound));
    CHECK(viewer.wait_seat(
        1, [](const seat_view& s) { return s.state != "live"; }, bound));
    CHECK(holder.seat(0)->mine);

    browser fresh(pool, c.room_port(), "main");
    REQUIRE(fresh.wait_open());
    CHECK(seat_live_from(*fresh.seat(0), "RTMP"));
    CHECK(fresh.seat(1)->state != "live");
    REQUIRE(fresh.media());
    CHECK(fresh.media()->value("reachable", json(nullptr)) == json(true));
}

TEST_CASE("a gateway restart does not make a live seat blink for its viewers", "[integration]")
{
    cluster c;
    browser_pool pool;
    browser holder(pool, c.room_port(), "main");
    browser viewer(pool, c.room_port(), "main");
    REQUIRE(holder.wait_open());
    REQUIRE(viewer.wait_open());
    auto seat0 = claim_seat(holder, 0);
    REQUIRE(seat0);
    auto live0 =
        c.media().publish(ingest::rtmp, seat0->stream, publish_query(*seat0, ingest::rtmp));
    REQUIRE(live0.admitted);
    REQUIRE(viewer.wait_seat_state(0, "live", event_bound));
    const auto seen_before = viewer.seat_history(0).size();

    // A killed gateway comes back with nothing known about OME: until its
    // first poll it must not tell the room "no streams".
    for (int restart = 0; restart < 3; ++restart) {
        c.kill_gateway();
        c.start_gateway();
        REQUIRE(c.wait_room_linked());
        // A few polls after the link is back.
        (void)viewer.wait([] { return false; },
                          std::chrono::milliseconds(3 * c.options().poll_ms + 300));
    }
    const auto history = viewer.seat_history(0);
    for (std::size_t i = seen_before; i < history.size(); ++i) {
        INFO("seat 0 frame after the restarts: " << history[i].dump());
        CHECK(history[i].value("state", "") == "live");
    }
    CHECK(seat_live_from(*viewer.seat(0), "RTMP"));
    CHECK(holder.seat(0)->mine);
    CHECK(c.media().listed(seat0->stream));
}

TEST_CASE("a room service restart shows the streams live in OME again", "[integration]")
{
    cluster c;
    auto pool = std::make_unique<browser_pool>();
    auto holder = std::make_unique<browser>(*pool, c.room_port(), "main");
    REQUIRE(holder->wait_open());
    auto seat0 = claim_seat(*holder, 0);
    REQUIRE(seat0);
    auto live0 =
        c.media().publish(ingest::rtmp, seat0->stream, publish_query(*seat0, ingest::rtmp));
    REQUIRE(live0.admitted);
    REQUIRE(holder->wait_seat_state(0, "live", event_bound));

    c.stop_room();
    CHECK(holder->wait([&] { return holder->closed(); }, event_bound));
    holder.reset();
    pool = std::make_unique<browser_pool>();
    c.start_room();
    REQUIRE(c.wait_room_linked());

    // A viewer reconnecting gets a snapshot with the seat live: either at
    // once (the gateway's snapshot came first) or as a delta within a poll.
    browser viewer(*pool, c.room_port(), "main");
    REQUIRE(viewer.wait_open());
    const auto bound = std::chrono::milliseconds(c.options().poll_ms) + event_bound;
    CHECK(viewer.wait_seat(
        0, [](const seat_view& s) { return seat_live_from(s, "RTMP"); }, bound));
    CHECK(viewer.seat(1)->state == "free");
    CHECK(c.media().listed(seat0->stream));
}
