// Scenario 9: open mode (an OME without AdmissionWebhooks): a stream
// published without any claim makes its seat live, found by the poll.

#include "scenario.hpp"

#include <catch2/catch.hpp>

using namespace ovs::integration;

TEST_CASE("in open mode an unclaimed stream makes its seat live", "[integration]")
{
    cluster_options o;
    o.mode = "open";
    o.ome_webhooks = false;
    cluster c(o);
    browser_pool pool;
    browser viewer(pool, c.room_port(), "main");
    REQUIRE(viewer.wait_open());
    CHECK(viewer.seat(2)->state == "free");

    auto live = c.media().publish(ingest::rtmp, c.stream(2), "");
    REQUIRE(live.admitted);
    const auto bound = std::chrono::milliseconds(c.options().poll_ms) + event_bound;
    CHECK(viewer.wait_seat(
        2, [](const seat_view& s) { return seat_live_from(s, "RTMP"); }, bound));
    CHECK_FALSE(viewer.seat(2)->mine);

    // A stream whose name is no seat's changes nothing.
    auto stray = c.media().publish(ingest::rtmp, "not-a-seat", "");
    CHECK(stray.admitted);

    c.media().unpublish(live);
    CHECK(viewer.wait_seat_state(2, "free", bound));
    CHECK(viewer.seat(0)->state == "free");
}
