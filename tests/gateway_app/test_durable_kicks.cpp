// Kicks are obligations: when OME's API fails (500), is slow, hangs or is
// down, the room's kick is answered "owed" (not an error), the gateway keeps
// sending the DELETE, and the stream is gone once OME answers again. A new
// publisher of that stream is refused while its old stream is still there.
// Against the in-process OME stand-in, whose API modes play the faults.
#include "standin_fixture.hpp"

namespace ovs::gateway::test {
namespace {

const std::string stream3_path = "/v1/vhosts/default/apps/app/streams/stream3";

// "done"/"owed", or "error:<code>".
std::string outcome(const proto::reply& r)
{
    if (const auto* e = r.error()) return "error:" + e->code;
    if (const auto* k = std::get_if<proto::kick_result>(&r.body)) return k->outcome;
    return "no kick result";
}

bool metric_is(standin_fixture& f, const std::string& line)
{
    return f.gateway->metrics_text().find("\n" + line + "\n") != std::string::npos;
}

// stream3 live in OME and known to the room.
void publish_stream3(standin_fixture& f, const std::string& query = {})
{
    auto published = run_coroutine(f.ioc, f.ome->publish(rtmp_publish("stream3", query)));
    REQUIRE(published.admitted);
    REQUIRE(run_until(f.ioc, [&] { return f.has_event<proto::stream_up>("stream3"); }));
}

// After OME answers again: the stream is gone from OME, the obligation ended
// on a list without it, and the room heard the stream end.
void check_done_after_recovery(standin_fixture& f)
{
    CHECK(run_until(
        f.ioc, [&] { return f.ome->live_streams().empty(); }, 3000ms));
    CHECK(run_until(
        f.ioc, [&] { return metric_is(f, "ovs_gateway_kicks_owed 0"); }, 3000ms));
    CHECK(metric_is(f, "ovs_gateway_kicks_confirmed_total 1"));
    CHECK(run_until(f.ioc, [&] { return f.has_event<proto::stream_down>("stream3"); }));
}

}  // namespace

TEST_CASE("a kick while OME answers 500 is owed, retried, and done once OME answers",
          "[loopback][kicks]")
{
    standin_fixture f(false);
    publish_stream3(f);

    f.ome->set_api_mode(ome_standin::api_mode::error);
    const auto reply = run_coroutine(f.ioc, kick_stream(f.room->client.get(), "stream3"));
    CHECK(outcome(reply) == "owed");
    CHECK(f.ome->live_streams() == std::vector<std::string>{"stream3"});
    CHECK(metric_is(f, "ovs_gateway_kicks_owed 1"));
    // The gateway keeps at it while OME fails (retry every 100..400 ms here).
    REQUIRE(run_until(
        f.ioc, [&] { return f.api_calls("DELETE", stream3_path) >= 3; }, 3000ms));
    CHECK(f.ome->live_streams() == std::vector<std::string>{"stream3"});
    CHECK_FALSE(f.has_event<proto::stream_down>("stream3"));

    f.ome->set_api_mode(ome_standin::api_mode::normal);
    check_done_after_recovery(f);
}

TEST_CASE("a slow DELETE that answers within ome.api.timeout_ms is a success", "[loopback][kicks]")
{
    standin_fixture f(false);
    publish_stream3(f);

    // 300 ms late, within the 500 ms API timeout of the test config.
    f.ome->set_api_delay(300ms);
    const auto started = std::chrono::steady_clock::now();
    const auto reply = run_coroutine(f.ioc, kick_stream(f.room->client.get(), "stream3"));
    CHECK(std::chrono::steady_clock::now() - started >= 290ms);
    CHECK(outcome(reply) == "done");
    CHECK(f.ome->live_streams().empty());
    CHECK(f.api_calls("DELETE", stream3_path) == 1);
    f.ome->set_api_delay(0ms);
    CHECK(run_until(
        f.ioc, [&] { return metric_is(f, "ovs_gateway_kicks_owed 0"); }, 3000ms));
}

TEST_CASE("a kick while OME hangs is owed after ome.api.timeout_ms and done once OME answers",
          "[loopback][kicks]")
{
    standin_fixture f(false);
    publish_stream3(f);

    f.ome->set_api_mode(ome_standin::api_mode::hang);
    const auto started = std::chrono::steady_clock::now();
    const auto reply = run_coroutine(f.ioc, kick_stream(f.room->client.get(), "stream3"));
    const auto waited = std::chrono::steady_clock::now() - started;
    CHECK(outcome(reply) == "owed");
    // The gateway gave up on OME (500 ms) and answered the room well before
    // the room's own wait (2 s here) ran out.
    CHECK(waited >= 450ms);
    CHECK(waited < 1900ms);
    CHECK(f.ome->live_streams() == std::vector<std::string>{"stream3"});

    f.ome->set_api_mode(ome_standin::api_mode::normal);
    check_done_after_recovery(f);
}

TEST_CASE("a kick while OME is down holds back the seat's next publisher until the stream is gone",
          "[loopback][kicks]")
{
    standin_fixture f(true);
    publish_stream3(f, "token=first-holder");

    f.ome->set_api_mode(ome_standin::api_mode::down);
    const auto reply = run_coroutine(f.ioc, kick_stream(f.room->client.get(), "stream3"));
    CHECK(outcome(reply) == "owed");
    CHECK(f.ome->live_streams() == std::vector<std::string>{"stream3"});

    // The seat's next holder publishes while the old stream is still in OME:
    // refused by the gateway without asking the room (it would collide).
    const auto checks_before = f.room->checks.size();
    auto early = run_coroutine(f.ioc, f.ome->publish(rtmp_publish("stream3", "token=next")));
    CHECK_FALSE(early.admitted);
    CHECK(f.room->checks.size() == checks_before);
    const auto hooks = f.ome->webhook_log();
    const auto opening = std::find_if(
        hooks.rbegin(), hooks.rend(), [](const auto& h) { return h.status == "opening"; });
    REQUIRE(opening != hooks.rend());
    CHECK_THAT(opening->decision, Catch::Contains("stream_ending"));

    f.ome->set_api_mode(ome_standin::api_mode::normal);
    check_done_after_recovery(f);

    // Now the seat's stream is free in OME: the next holder gets in.
    auto later = run_coroutine(f.ioc, f.ome->publish(rtmp_publish("stream3", "token=next")));
    CHECK(later.admitted);
    CHECK(f.room->checks.size() == checks_before + 1);
}

TEST_CASE("a room that links tells which seats it holds, seat streams nobody holds are ended",
          "[loopback][kicks]")
{
    standin_fixture f(false);
    for (const std::string stream : {"stream1", "stream2"}) {
        REQUIRE(run_coroutine(f.ioc, f.ome->publish(rtmp_publish(stream))).admitted);
        REQUIRE(run_until(f.ioc, [&] { return f.has_event<proto::stream_up>(stream); }));
    }
    // A room that cannot say (today's room service): nothing is ended.
    REQUIRE(run_until(f.ioc, [&] { return f.room->holds_asked == 1; }));
    const auto lists = f.api_calls("GET", "/v1/vhosts/default/apps/app/streams");
    REQUIRE(run_until(f.ioc, [&] {
        return f.api_calls("GET", "/v1/vhosts/default/apps/app/streams") >= lists + 3;
    }));
    CHECK(f.ome->live_streams().size() == 2);
    CHECK(f.room->holds_asked == 1);  // once per link

    // A room that holds only stream1 links (as after a gateway restart, whose
    // owed kicks died with the old process): stream2 is ended.
    f.room = std::make_unique<fake_room>(f.ioc, f.gateway->link_port());
    f.room->holds = std::vector<std::string>{"stream1"};
    CHECK(run_until(f.ioc,
                    [&] { return f.ome->live_streams() == std::vector<std::string>{"stream1"}; }));
    CHECK(f.room->holds_asked == 1);
    CHECK(f.api_calls("DELETE", "/v1/vhosts/default/apps/app/streams/stream2") == 1);
    CHECK(f.api_calls("DELETE", "/v1/vhosts/default/apps/app/streams/stream1") == 0);
    CHECK(run_until(f.ioc, [&] { return f.has_event<proto::stream_down>("stream2"); }));
}

}  // namespace ovs::gateway::test
