// The gateway against the OME stand-in (tests/ome_standin): the poller turns
// OME's stream list into stream_up/stream_down, learns each new stream's
// details once, reports OME down and back, and kicks with a DELETE; and a
// publish through signed webhooks reaches the room at once.
#include "standin_fixture.hpp"

namespace ovs::gateway::test {

TEST_CASE("poller: streams appearing and leaving in OME reach the room", "[loopback][integration]")
{
    standin_fixture f(false);
    // The poller counts OME reachable on the list's answer and asks for the
    // version right after: wait for that request, then it must be the only one.
    REQUIRE(run_until(f.ioc, [&] { return f.api_calls("GET", "/v1/version") >= 1; }));
    CHECK(f.api_calls("GET", "/v1/version") == 1);

    auto published = run_coroutine(f.ioc, f.ome->publish(rtmp_publish("stream1")));
    REQUIRE(published.admitted);
    REQUIRE(run_until(f.ioc, [&] { return f.has_event<proto::stream_up>("stream1"); }));
    const auto up = f.room->events_of<proto::stream_up>().back().stream;
    CHECK(up.name == "stream1");
    CHECK(up.source == "RTMP");
    REQUIRE(up.video);
    CHECK(up.video->codec == "H264");
    CHECK(up.video->width == 640u);
    CHECK(up.video->height == 360u);

    // Several more polls: the details were fetched exactly once.
    const auto lists = f.api_calls("GET", "/v1/vhosts/default/apps/app/streams");
    REQUIRE(run_until(f.ioc, [&] {
        return f.api_calls("GET", "/v1/vhosts/default/apps/app/streams") >= lists + 3;
    }));
    CHECK(f.api_calls("GET", "/v1/vhosts/default/apps/app/streams/stream1") == 1);

    // Viewers cost OME nothing: playing makes no API call. The per-seat
    // viewer counts are one stats request per live stream per poll.
    const std::string stats = "/v1/stats/current/vhosts/default/apps/app/streams/stream1";
    const auto before = f.ome->api_log().size();
    ome_standin::play_request play;
    play.stream = "stream1";
    (void)run_coroutine(f.ioc, f.ome->play(play));
    for (const auto& e : f.ome->api_log()) {
        CHECK((e.target == "/v1/vhosts/default/apps/app/streams" ||
               e.target == "/v1/vhosts/default/apps/app/streams/stream1" ||
               e.target == "/v1/version" || e.target == stats));
    }
    CHECK(f.ome->api_log().size() >= before);
    CHECK(f.api_calls("GET", stats) >= 1);
    CHECK(f.api_calls("GET", stats) <= f.api_calls("GET", "/v1/vhosts/default/apps/app/streams"));

    REQUIRE(run_coroutine(f.ioc, f.ome->unpublish(published.id)));
    REQUIRE(run_until(f.ioc, [&] { return f.has_event<proto::stream_down>("stream1"); }));
}

TEST_CASE("poller: OME down is reported stale and unreachable, then recovers",
          "[loopback][integration]")
{
    standin_fixture f(false);
    auto published = run_coroutine(f.ioc, f.ome->publish(rtmp_publish("stream2")));
    REQUIRE(published.admitted);
    REQUIRE(run_until(f.ioc, [&] { return f.has_event<proto::stream_up>("stream2"); }));

    f.ome->set_api_mode(ome_standin::api_mode::down);
    REQUIRE(run_until(f.ioc, [&] { return !f.gateway->ome_reachable(); }));
    REQUIRE(run_until(f.ioc, [&] {
        auto s = f.room->events_of<proto::media_status>();
        return !s.empty() && !s.back().reachable;
    }));
    const auto down = f.room->events_of<proto::media_status>().back();
    CHECK(down.stale);
    REQUIRE(down.last_error);
    CHECK_FALSE(down.last_error->empty());
    // The last known streams are kept (stale), not dropped.
    CHECK_FALSE(f.has_event<proto::stream_down>("stream2"));

    const auto snapshots_before = f.room->events_of<proto::streams>().size();
    const auto versions_before = f.api_calls("GET", "/v1/version");
    f.ome->set_api_mode(ome_standin::api_mode::normal);
    REQUIRE(run_until(f.ioc, [&] {
        auto s = f.room->events_of<proto::media_status>();
        return !s.empty() && s.back().reachable;
    }));
    CHECK_FALSE(f.room->events_of<proto::media_status>().back().stale);
    REQUIRE(run_until(
        f.ioc, [&] { return f.room->events_of<proto::streams>().size() > snapshots_before; }));
    const auto snapshot = f.room->events_of<proto::streams>().back();
    REQUIRE(snapshot.list.size() == 1);
    CHECK(snapshot.list[0].name == "stream2");
    CHECK(f.api_calls("GET", "/v1/version") == versions_before + 1);
    CHECK_FALSE(f.has_event<proto::stream_down>("stream2"));
}

TEST_CASE("poller: a kick deletes the stream in OME", "[loopback][integration]")
{
    standin_fixture f(false);
    auto published = run_coroutine(f.ioc, f.ome->publish(rtmp_publish("stream3")));
    REQUIRE(published.admitted);
    REQUIRE(run_until(f.ioc, [&] { return f.has_event<proto::stream_up>("stream3"); }));

    auto reply = run_coroutine(f.ioc, kick_stream(f.room->client.get(), "stream3"));
    CHECK(reply.ok());
    CHECK(f.api_calls("DELETE", "/v1/vhosts/default/apps/app/streams/stream3") == 1);
    CHECK(f.ome->live_streams().empty());
    REQUIRE(run_until(f.ioc, [&] { return f.has_event<proto::stream_down>("stream3"); }));

    // Already gone in OME (404): still fine for the room.
    auto again = run_coroutine(f.ioc, kick_stream(f.room->client.get(), "stream3"));
    CHECK(again.ok());
}

TEST_CASE("a kick for a stream that is not a seat's is refused and never reaches OME",
          "[loopback][integration]")
{
    standin_fixture f(false);
    // A stream of the same app that no room's seat uses (another tool's, on
    // a shared OME), live in OME.
    auto published = run_coroutine(f.ioc, f.ome->publish(rtmp_publish("studio-feed")));
    REQUIRE(published.admitted);

    for (const std::string stream : {"studio-feed", "stream9", "", "../stream0"}) {
        INFO("kick '" << stream << "'");
        auto reply = run_coroutine(f.ioc, kick_stream(f.room->client.get(), stream));
        REQUIRE(reply.error());
        CHECK(reply.error()->code == "not_a_seat");
    }
    CHECK(f.api_calls("DELETE", "/v1/vhosts/default/apps/app/streams/studio-feed") == 0);
    CHECK(f.ome->live_streams().size() == 1);
    CHECK_THAT(f.gateway->metrics_text(), Catch::Contains("ovs_gateway_kicks_refused_total 4"));
    // A seat's stream still is kicked.
    auto seat = run_coroutine(f.ioc, kick_stream(f.room->client.get(), "stream3"));
    CHECK(seat.ok());
}

TEST_CASE("a signed publish through the stand-in turns the seat live at once",
          "[loopback][integration]")
{
    standin_fixture f(true);
    std::vector<proto::admission_check> seen;
    f.room->decide = [](const proto::admission_check& c) {
        const bool ok = c.token == "seat-token";
        return proto::reply_body{proto::admission_result{ok, ok ? "holder" : "wrong token"}};
    };

    auto refused = run_coroutine(f.ioc, f.ome->publish(rtmp_publish("stream4", "token=nope")));
    CHECK_FALSE(refused.admitted);

    auto published =
        run_coroutine(f.ioc, f.ome->publish(rtmp_publish("stream4", "token=seat-token")));
    REQUIRE(published.admitted);
    // stream_up came from the webhook, before any poll could list the stream.
    REQUIRE(run_until(f.ioc, [&] { return f.has_event<proto::stream_up>("stream4"); }));
    CHECK(f.room->events_of<proto::stream_up>().front().stream.source == "RTMP");
    CHECK(f.room->checks.size() == 2);

    REQUIRE(run_coroutine(f.ioc, f.ome->unpublish(published.id)));
    REQUIRE(run_until(f.ioc, [&] { return f.has_event<proto::stream_down>("stream4"); }));
    CHECK(f.room->events_of<proto::stream_down>().size() == 1);
}

TEST_CASE("a room linking before the gateway's first poll hears nothing of OME until that poll",
          "[loopback][integration]")
{
    asio::io_context ioc;
    ome_standin::ome_standin ome(ioc.get_executor(), {});
    ome.start();
    auto live = run_coroutine(ioc, ome.publish(rtmp_publish("stream6")));
    REQUIRE(live.admitted);
    // The gateway's first list request hangs (OME busy) for a while.
    ome.set_api_mode(ome_standin::api_mode::hang);
    auto cfg = make_config(ome.api_port());
    cfg.ome.api.timeout = 3000ms;
    auto gateway =
        std::make_unique<gateway_service>(ioc.get_executor(), cfg, [](std::string_view) {});
    gateway->start();
    auto room = std::make_unique<fake_room>(ioc, gateway->link_port());
    REQUIRE(run_until(ioc, [&] { return room->connected; }));
    (void)run_until(
        ioc, [] { return false; }, 300ms);
    // Endpoints only: an "unreachable" or an empty stream list now would
    // take a room's live seats down until the poll.
    CHECK(room->events_of<proto::endpoints>().size() == 1);
    CHECK(room->events_of<proto::media_status>().empty());
    CHECK(room->events_of<proto::streams>().empty());

    ome.set_api_mode(ome_standin::api_mode::normal);
    REQUIRE(run_until(ioc, [&] { return !room->events_of<proto::streams>().empty(); }));
    REQUIRE_FALSE(room->events_of<proto::media_status>().empty());
    CHECK(room->events_of<proto::media_status>().back().reachable);
    const auto snapshot = room->events_of<proto::streams>().front();
    REQUIRE(snapshot.list.size() == 1);
    CHECK(snapshot.list[0].name == "stream6");
    CHECK(room->events_of<proto::stream_down>().empty());

    room.reset();
    gateway->stop();
    ome.stop();
}

}  // namespace ovs::gateway::test
