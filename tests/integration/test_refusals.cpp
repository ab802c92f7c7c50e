// Scenario 2: publishing without a token, with a wrong token, or to someone
// else's seat is refused by the webhook; such seats never go live, and an
// intruder's refused RTMP attempt (whose closing webhook arrives right
// after the refusal) does not disturb the holder's live stream.

#include "scenario.hpp"

#include <catch2/catch.hpp>

using namespace ovs::integration;

namespace {

bool ever_live(const browser& b, unsigned seat)
{
    for (const auto& s : b.seat_history(seat)) {
        if (s.value("state", "") == "live") return true;
    }
    return false;
}

}  // namespace

TEST_CASE("publishes without the seat's token are refused and change no seat", "[integration]")
{
    cluster c;
    browser_pool pool;
    browser holder(pool, c.room_port(), "main");
    browser other(pool, c.room_port(), "main");
    browser viewer(pool, c.room_port(), "main");
    REQUIRE(holder.wait_open());
    REQUIRE(other.wait_open());
    REQUIRE(viewer.wait_open());

    auto mine = claim_seat(holder, 0);
    auto theirs = claim_seat(other, 2);
    REQUIRE(mine);
    REQUIRE(theirs);
    auto live = c.media().publish(ingest::rtmp, mine->stream, publish_query(*mine, ingest::rtmp));
    REQUIRE(live.admitted);
    REQUIRE(viewer.wait_seat(
        0, [](const seat_view& s) { return seat_live_from(s, "RTMP"); }, event_bound));

    SECTION("no token, on a free seat")
    {
        auto r = c.media().publish(ingest::rtmp, c.stream(1), "");
        CHECK_FALSE(r.admitted);
        INFO("refusal: " << r.reason);
    }
    SECTION("a wrong token, on a free seat, over SRT")
    {
        auto r = c.media().publish(ingest::srt, c.stream(1), "token=not-a-token");
        CHECK_FALSE(r.admitted);
    }
    SECTION("a wrong token on a reserved seat")
    {
        auto r = c.media().publish(ingest::rtmp, theirs->stream, "token=" + mine->token + "x");
        CHECK_FALSE(r.admitted);
        CHECK(viewer.seat(2)->state == "reserved");
    }
    SECTION("a valid token used for another seat's stream")
    {
        auto r = c.media().publish(ingest::rtmp, c.stream(3), publish_query(*theirs, ingest::rtmp));
        CHECK_FALSE(r.admitted);
    }
    SECTION("an intruder's RTMP attempt on the holder's live seat")
    {
        auto r =
            c.media().publish(ingest::rtmp, mine->stream, publish_query(*theirs, ingest::rtmp));
        CHECK_FALSE(r.admitted);
        if (c.media().standin_powers()) {
            // The stand-in answers /control/publish after OME's whole
            // sequence, so the intruder's closing has been sent by now.
            bool closing_sent = false;
            for (const auto& w : c.media().webhook_log()) {
                if (w.value("status", "") == "closing" &&
                    w.value("client_id", 0ULL) == std::stoull(r.handle)) {
                    closing_sent = true;
                }
            }
            CHECK(closing_sent);
        }
    }

    // Give the poll (the safety net) two rounds to correct anything wrong,
    // then check that nothing ever changed.
    REQUIRE(wait_polls(c, 2, event_bound));
    holder.command(json{{"type", "ping"}});  // flushes frames in flight
    viewer.command(json{{"type", "ping"}});
    CHECK(seat_live_from(*viewer.seat(0), "RTMP"));
    CHECK(holder.seat(0)->mine);
    CHECK(holder.seat(0)->state == "live");
    // Once live, seat 0 never left the live state.
    bool went_live = false;
    for (const auto& s : viewer.seat_history(0)) {
        if (s.value("state", "") == "live") went_live = true;
        if (went_live) CHECK(s.value("state", "") == "live");
    }
    CHECK(viewer.seat_history(0).back().value("state", "") == "live");
    CHECK(viewer.seat(1)->state == "free");
    CHECK_FALSE(ever_live(viewer, 1));
    CHECK(viewer.seat(2)->state == "reserved");
    CHECK_FALSE(ever_live(viewer, 2));
    CHECK(viewer.seat(3)->state == "free");
    CHECK_FALSE(ever_live(viewer, 3));
    CHECK_FALSE(c.media().listed(c.stream(1)));
    CHECK_FALSE(c.media().listed(c.stream(3)));
    CHECK(c.media().listed(mine->stream));
}
