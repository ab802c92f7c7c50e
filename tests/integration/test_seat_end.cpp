// Scenario 3: release and lease expiry end the stream in OME (a REST DELETE
// reaches the media server) and free the seat for viewers; when the
// holder's connection goes away the seat is freed after the grace period.

#include "deadline.hpp"
#include "scenario.hpp"

#include <catch2/catch.hpp>

using namespace ovs::integration;

namespace {

cluster_options short_times()
{
    cluster_options o;
    o.lease_ms = 1500;
    o.grace_ms = 1000;
    return o;
}

}  // namespace

TEST_CASE("releasing a live seat ends its stream in OME and frees it", "[integration]")
{
    cluster c(short_times());
    browser_pool pool;
    browser holder(pool, c.room_port(), "main");
    browser viewer(pool, c.room_port(), "main");
    REQUIRE(holder.wait_open());
    REQUIRE(viewer.wait_open());
    auto claim = claim_seat(holder, 0);
    REQUIRE(claim);
    auto live = c.media().publish(ingest::rtmp, claim->stream, publish_query(*claim, ingest::rtmp));
    REQUIRE(live.admitted);
    REQUIRE(viewer.wait_seat_state(0, "live", event_bound));

    auto reply = holder.command(json{{"type", "release"}, {"seat", 0}});
    REQUIRE(reply);
    CHECK(reply->value("ok", false));
    CHECK(viewer.wait_seat_state(0, "free", event_bound));
    CHECK(c.media().wait_deleted(claim->stream, event_bound));
    CHECK_FALSE(c.media().listed(claim->stream));

    // The old token does not publish again.
    auto again =
        c.media().publish(ingest::rtmp, claim->stream, publish_query(*claim, ingest::rtmp));
    CHECK_FALSE(again.admitted);
    REQUIRE(wait_polls(c, 2, event_bound));
    CHECK(viewer.seat(0)->state == "free");
}

TEST_CASE("a lease that expires unpublished frees the seat and kills its token", "[integration]")
{
    cluster c(short_times());
    browser_pool pool;
    browser holder(pool, c.room_port(), "main");
    browser viewer(pool, c.room_port(), "main");
    REQUIRE(holder.wait_open());
    REQUIRE(viewer.wait_open());
    auto claim = claim_seat(holder, 1);
    REQUIRE(claim);
    CHECK(claim->reply.value("lease_ms", 0) == 1500);
    REQUIRE(viewer.wait_seat_state(1, "reserved", event_bound));
    // Lease (1.5 s) plus the event bound.
    CHECK(viewer.wait_seat_state(1, "free", 1500ms + event_bound));
    CHECK(holder.wait_seat(
        1, [](const seat_view& s) { return !s.mine; }, event_bound));
    // A reserved seat that becomes free is kicked too (OME may have
    // admitted the publisher before its stream_up arrived).
    CHECK(c.media().wait_deleted(claim->stream, event_bound));
    auto late = c.media().publish(ingest::rtmp, claim->stream, publish_query(*claim, ingest::rtmp));
    CHECK_FALSE(late.admitted);
}

TEST_CASE("a holder whose connection goes away loses the live seat after the grace",
          "[integration]")
{
    cluster c(short_times());
    browser_pool pool;
    auto holder = std::make_unique<browser>(pool, c.room_port(), "main");
    browser viewer(pool, c.room_port(), "main");
    REQUIRE(holder->wait_open());
    REQUIRE(viewer.wait_open());
    auto claim = claim_seat(*holder, 2);
    REQUIRE(claim);
    auto live = c.media().publish(ingest::srt, claim->stream, publish_query(*claim, ingest::srt));
    REQUIRE(live.admitted);
    REQUIRE(viewer.wait_seat(
        2, [](const seat_view& s) { return seat_live_from(s, "SRT"); }, event_bound));

    SECTION("a clean WebSocket close")
    {
        holder->close();
    }
    SECTION("the tab vanishes (TCP reset, no close frame)")
    {
        holder.reset();
    }
    // Grace (1 s) plus the event bound.
    CHECK(viewer.wait_seat_state(2, "free", 1000ms + event_bound));
    CHECK(c.media().wait_deleted(claim->stream, event_bound));
    CHECK_FALSE(c.media().listed(claim->stream));
}

TEST_CASE("a seat released while OME's API fails has its stream ended once OME answers",
          "[integration]")
{
    // How the stand-in's API fails (a real OME started here: frozen).
    const auto fault = GENERATE(as<std::string>(), "500", "slow", "hanging");
    cluster c(short_times());
    if (!c.media().can_hang()) {
        WARN("skipped: needs the stand-in or a real OME started by the test");
        return;
    }
    if (!c.media().standin_powers() && fault != "hanging") return;  // one run is enough
    INFO("OME's API: " << fault);
    browser_pool pool;
    browser holder(pool, c.room_port(), "main");
    browser viewer(pool, c.room_port(), "main");
    REQUIRE(holder.wait_open());
    REQUIRE(viewer.wait_open());
    auto claim = claim_seat(holder, 0);
    REQUIRE(claim);
    auto live = c.media().publish(ingest::rtmp, claim->stream, publish_query(*claim, ingest::rtmp));
    REQUIRE(live.admitted);
    REQUIRE(viewer.wait_seat_state(0, "live", event_bound));

    // The stand-in answers every API call 500, or slower than
    // ome.api.timeout_ms, or never; a real OME is frozen.
    const bool standin = c.media().standin_powers();
    if (fault == "500") {
        c.media().api_error();
    } else if (fault == "slow") {
        c.media().api_slow(millis(3 * c.options().ome_timeout_ms));
    } else {
        c.media().api_hang();
    }
    auto reply = holder.command(json{{"type", "release"}, {"seat", 0}});
    REQUIRE(reply);
    CHECK(reply->value("ok", false));
    // The seat is not offered while OME still has the old stream: "ending",
    // and a claim is refused (a publisher would collide with that stream).
    CHECK(viewer.wait_seat_state(0, "ending", event_bound));
    auto refused = viewer.command(json{{"type", "claim"}, {"seat", 0}});
    REQUIRE(refused);
    CHECK_FALSE(refused->value("ok", true));
    CHECK(refused->value("error", json::object()).value("code", "") == "seat_ending");
    const auto owed = [&] {
        return c.gateway_metrics().find("\novs_gateway_kicks_owed 1\n") != std::string::npos;
    };
    CHECK(poll_until(owed, event_bound));
    if (standin && fault == "500") {
        // The gateway keeps sending the DELETE while OME fails.
        const std::string target = "/v1/vhosts/default/apps/app/streams/" + claim->stream;
        CHECK(poll_until(
            [&] {
                int deletes = 0;
                for (const auto& e : c.media().api_log()) {
                    if (e.value("method", "") == "DELETE" && e.value("target", "") == target)
                        ++deletes;
                }
                return deletes >= 3;
            },
            event_bound));
    }

    c.media().api_up();
    // Gone within the poll's backoff cap (1 s here) plus one API timeout of
    // OME answering again, with slack for a loaded machine.
    CHECK(poll_until([&] { return !c.media().listed(claim->stream); },
                     millis(c.options().poll_backoff_max_ms + c.options().ome_timeout_ms + 2000)));
    CHECK(poll_until(
        [&] {
            return c.gateway_metrics().find("\novs_gateway_kicks_owed 0\n") != std::string::npos;
        },
        event_bound));
    // Gone from OME: the seat is free for anyone again.
    CHECK(viewer.wait_seat_state(0, "free", event_bound));
    CHECK(claim_seat(viewer, 0));
}
