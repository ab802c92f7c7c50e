// The gateway's webhook endpoint over loopback: real HTTP to the gateway, a
// fake room service on a real link. OME's API is left unreachable here (the
// poller only backs off); the poller has its own tests.
#include "test_support.hpp"

#include <ovs/gateway/admission_webhook.hpp>
#include <ovs/gateway/gateway_service.hpp>

#include <nlohmann/json.hpp>

namespace ovs::gateway::test {
namespace {

const std::string secret = "ome-webhook-secret";
const std::string fixture_dir = "ome-webhooks-v0.20.0/a_rtmp_publish_allowed/";

std::string webhook_body(const std::string& direction,
                         const std::string& status,
                         const std::string& protocol,
                         const std::string& url,
                         std::uint16_t client_port)
{
    nlohmann::json body = {
        {"client", {{"address", "127.0.0.1"}, {"port", client_port}, {"real_ip", "127.0.0.1"}}},
        {"request",
         {{"direction", direction},
          {"protocol", protocol},
          {"status", status},
          {"time", "2026-11-24T17:44:46.289+00:00"},
          {"url", url}}}};
    if (status == "closing") body["request"]["new_url"] = url;
    return body.dump();
}

asio::awaitable<http_answer> post_webhook(std::uint16_t port,
                                          std::string body,
                                          std::string signature)
{
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"},
                                                             {"User-Agent", "OvenMediaEngine"}};
    if (!signature.empty()) headers.emplace_back("X-OME-Signature", signature);
    co_return co_await http_call(port, "POST", "/v1/admission", body, headers);
}

http_answer post_signed(asio::io_context& ioc, std::uint16_t port, const std::string& body)
{
    return run_coroutine(ioc, post_webhook(port, body, webhook_signature(secret, body)));
}

nlohmann::json json_of(const http_answer& a)
{
    return nlohmann::json::parse(a.body);
}

struct fixture {
    asio::io_context ioc;
    config::config cfg;
    std::unique_ptr<gateway_service> gateway;
    std::vector<std::string> log_lines;

    explicit fixture(config::config c = make_config(0))
    {
        cfg = std::move(c);
        if (cfg.ome.api.port == 0) cfg.ome.api.port = refused_port(ioc);
        gateway = std::make_unique<gateway_service>(
            ioc.get_executor(), cfg, [this](std::string_view line) {
                log_lines.emplace_back(line);
            });
        gateway->start();
    }
    ~fixture() { gateway->stop(); }

    std::string all_logs() const
    {
        std::string out;
        for (const auto& l : log_lines) out += l + "\n";
        return out;
    }
};

}  // namespace

TEST_CASE("a recorded OME opening and closing drive the room's stream", "[loopback]")
{
    fixture f;
    fake_room room(f.ioc, f.gateway->link_port());
    REQUIRE(run_until(f.ioc, [&] { return room.connected && room.events.size() >= 2; }));

    // On connecting the room learned the endpoints and OME's state (this
    // OME refuses connections: unreachable).
    auto endpoints = room.events_of<proto::endpoints>();
    REQUIRE(endpoints.size() == 1);
    CHECK(endpoints[0].webrtc_publish ==
          "ws://127.0.0.1:3333/app/{stream}?direction=send&token={token}");
    CHECK(endpoints[0].rtmp.server == "rtmp://127.0.0.1:1935/app");
    REQUIRE(run_until(f.ioc, [&] { return !room.events_of<proto::media_status>().empty(); }));
    CHECK_FALSE(room.events_of<proto::media_status>().back().reachable);
    // No stream list from a gateway that never got one from OME: an empty
    // list would take the room's live seats down (the room keeps them, stale).
    CHECK(room.events_of<proto::streams>().empty());

    const std::string opening = read_fixture(fixture_dir + "001_incoming_RTMP_opening.body.json");
    const std::string closing = read_fixture(fixture_dir + "002_incoming_RTMP_closing.body.json");
    // The signatures OME sent with these exact bytes.
    auto answer = run_coroutine(
        f.ioc, post_webhook(f.gateway->http_port(), opening, "c-uA6o5rM_lajux8ujyRB5qAcs8"));
    CHECK(answer.status == 200);
    CHECK(answer.content_type == "application/json");
    CHECK(json_of(answer) == nlohmann::json{{"allowed", true}});

    REQUIRE(room.checks.size() == 1);
    CHECK(room.checks[0].stream == "stream0");
    CHECK(room.checks[0].token == "abc123");
    CHECK(room.checks[0].direction == "publish");
    CHECK(room.checks[0].protocol == "RTMP");
    CHECK(room.checks[0].client == "127.0.0.1");
    REQUIRE(run_until(f.ioc, [&] { return room.events_of<proto::stream_up>().size() == 1; }));
    CHECK(room.events_of<proto::stream_up>()[0].stream.name == "stream0");
    CHECK(room.events_of<proto::stream_up>()[0].stream.source == "RTMP");

    auto closed = run_coroutine(
        f.ioc, post_webhook(f.gateway->http_port(), closing, "ax4x9bSnlgVOJhyX_DBh9zQS5TI"));
    CHECK(closed.status == 200);
    CHECK(json_of(closed) == nlohmann::json::object());
    REQUIRE(run_until(f.ioc, [&] { return room.events_of<proto::stream_down>().size() == 1; }));
    CHECK(room.events_of<proto::stream_down>()[0].stream.name == "stream0");

    // The publish token never reaches the log.
    CHECK_THAT(f.all_logs(), !Catch::Contains("abc123"));
    CHECK_THAT(f.all_logs(), Catch::Contains("token=***"));

    const auto metrics = f.gateway->metrics_text();
    CHECK_THAT(
        metrics,
        Catch::Contains("ovs_gateway_webhooks_total{direction=\"incoming\",status=\"opening\","
                        "result=\"allowed\"} 1"));
    CHECK_THAT(metrics, Catch::Contains("ovs_gateway_admission_duration_seconds_count 1"));
}

TEST_CASE("a bad or missing signature is refused with 401 and changes nothing", "[loopback]")
{
    fixture f;
    fake_room room(f.ioc, f.gateway->link_port());
    REQUIRE(run_until(f.ioc, [&] { return room.connected; }));
    const std::string opening = read_fixture(fixture_dir + "001_incoming_RTMP_opening.body.json");
    const std::string good_signature = "c-uA6o5rM_lajux8ujyRB5qAcs8";

    std::string tampered = opening;
    tampered.replace(tampered.find("stream0"), 7, "stream1");
    CHECK(run_coroutine(f.ioc, post_webhook(f.gateway->http_port(), tampered, good_signature))
              .status == 401);

    std::string bad_signature = good_signature;
    bad_signature[0] = bad_signature[0] == 'c' ? 'd' : 'c';
    CHECK(
        run_coroutine(f.ioc, post_webhook(f.gateway->http_port(), opening, bad_signature)).status ==
        401);
    CHECK(run_coroutine(f.ioc, post_webhook(f.gateway->http_port(), opening, "")).status == 401);

    // Signed with another secret.
    CHECK(run_coroutine(
              f.ioc, post_webhook(f.gateway->http_port(), opening, webhook_signature("x", opening)))
              .status == 401);

    CHECK(room.checks.empty());
    CHECK(room.events_of<proto::stream_up>().empty());
    CHECK_THAT(f.gateway->metrics_text(), Catch::Contains("result=\"bad_signature\"} 4"));
}

TEST_CASE("the gateway refuses to start without a webhook secret, in both modes", "[loopback]")
{
    // Signing with an empty key is something anyone can do: with no secret
    // every webhook would be as good as unsigned.
    for (auto mode : {config::admission_mode::webhook, config::admission_mode::open}) {
        asio::io_context ioc;
        auto cfg = make_config(refused_port(ioc));
        cfg.mode = mode;
        cfg.ome.webhook_secret.clear();
        gateway_service gateway(ioc.get_executor(), cfg, [](std::string_view) {});
        CHECK_THROWS_WITH(gateway.start(), Catch::Contains("ome.webhook_secret is empty"));
        // Nothing was bound: no port to send an unsigned webhook to.
        CHECK(gateway.http_port() == 0);
    }
}

TEST_CASE("open mode accepts only signed webhooks", "[loopback]")
{
    auto cfg = make_config(0);
    cfg.mode = config::admission_mode::open;
    fixture f(cfg);
    const std::string body =
        webhook_body("incoming", "opening", "RTMP", "rtmp://127.0.0.1:1935/app/stream0", 7001);
    SECTION("unsigned")
    {
        CHECK(run_coroutine(f.ioc, post_webhook(f.gateway->http_port(), body, "")).status == 401);
    }
    SECTION("signed with an empty key")
    {
        CHECK(run_coroutine(f.ioc,
                            post_webhook(f.gateway->http_port(), body, webhook_signature("", body)))
                  .status == 401);
    }
    SECTION("closings too")
    {
        const std::string closing =
            webhook_body("incoming", "closing", "RTMP", "rtmp://127.0.0.1:1935/app/stream0", 7001);
        CHECK(run_coroutine(f.ioc, post_webhook(f.gateway->http_port(), closing, "")).status ==
              401);
    }
    // Signed with the secret, the same opening is admitted (open mode: no token).
    auto signed_answer = post_signed(f.ioc, f.gateway->http_port(), body);
    CHECK(signed_answer.status == 200);
    CHECK(json_of(signed_answer)["allowed"] == true);
    CHECK_THAT(f.gateway->metrics_text(), Catch::Contains("result=\"bad_signature\"} 1"));
}

TEST_CASE("verify_signature never accepts an empty secret", "[unit]")
{
    const std::string body = R"({"client":{}})";
    CHECK_FALSE(verify_signature("", body, webhook_signature("", body)));
    CHECK_FALSE(verify_signature("", body, ""));
    CHECK(verify_signature("k", body, webhook_signature("k", body)));
}

TEST_CASE("malformed and oversized webhooks get 400 and 413", "[loopback]")
{
    fixture f;
    const std::string junk = "{\"client\": not json";
    CHECK(post_signed(f.ioc, f.gateway->http_port(), junk).status == 400);
    const std::string wrong_shape = R"({"client":{"address":"1.2.3.4"}})";
    CHECK(post_signed(f.ioc, f.gateway->http_port(), wrong_shape).status == 400);

    const std::string huge(f.cfg.gateway.max_webhook_body_bytes + 1, 'x');
    CHECK(post_signed(f.ioc, f.gateway->http_port(), huge).status == 413);

    auto wrong_method =
        run_coroutine(f.ioc, http_call(f.gateway->http_port(), "GET", "/v1/admission", "", {}));
    CHECK(wrong_method.status == 405);
    auto unknown = run_coroutine(f.ioc, http_call(f.gateway->http_port(), "GET", "/nope", "", {}));
    CHECK(unknown.status == 404);
}

TEST_CASE("the room's decision is OME's answer, refusals and silence fail closed", "[loopback]")
{
    fixture f;
    const auto port = f.gateway->http_port();

    SECTION("no room link: refused within the admission deadline")
    {
        const auto started = std::chrono::steady_clock::now();
        auto a = post_signed(
            f.ioc,
            port,
            webhook_body("incoming", "opening", "RTMP", "rtmp://h:1935/app/stream1?token=t", 5001));
        CHECK(std::chrono::steady_clock::now() - started < 3s);  // OME's own limit
        CHECK(a.status == 200);
        CHECK(json_of(a)["allowed"] == false);
        CHECK_THAT(json_of(a)["reason"].get<std::string>(), Catch::Contains("room service"));
    }

    fake_room room(f.ioc, f.gateway->link_port());
    REQUIRE(run_until(f.ioc, [&] { return room.connected; }));

    SECTION("the room refuses")
    {
        room.decide = [](const proto::admission_check&) {
            return proto::reply_body{proto::admission_result{false, "wrong token"}};
        };
        auto a = post_signed(f.ioc,
                             port,
                             webhook_body("incoming",
                                          "opening",
                                          "WebRTC",
                                          "ws://h:3333/app/stream2?direction=send&token=bad",
                                          5002));
        CHECK(a.status == 200);
        CHECK(json_of(a) == nlohmann::json{{"allowed", false}, {"reason", "wrong token"}});
        CHECK(room.checks.size() == 1);
        f.ioc.poll();
        CHECK(room.events_of<proto::stream_up>().empty());
    }
    SECTION("the room answers with an error")
    {
        room.decide = [](const proto::admission_check&) {
            return proto::reply_body{proto::error_info{"internal", "boom"}};
        };
        auto a = post_signed(
            f.ioc,
            port,
            webhook_body("incoming", "opening", "SRT", "srt://default/app/stream3?token=t", 5003));
        CHECK(json_of(a)["allowed"] == false);
    }
    SECTION("the room does not answer in time")
    {
        room.hold_answers = true;
        const auto started = std::chrono::steady_clock::now();
        auto a = post_signed(
            f.ioc,
            port,
            webhook_body("incoming", "opening", "RTMP", "rtmp://h:1935/app/stream4?token=t", 5004));
        const auto took = std::chrono::steady_clock::now() - started;
        CHECK(json_of(a)["allowed"] == false);
        CHECK(took >= f.cfg.gateway.admission_timeout);
        CHECK(took < 3s);
        CHECK(room.checks.size() == 1);
    }
    SECTION("WHIP is told apart from WebRTC")
    {
        auto a = post_signed(f.ioc,
                             port,
                             webhook_body("incoming",
                                          "opening",
                                          "WebRTC",
                                          "http://h:3333/app/stream5?direction=whip&token=t",
                                          5005));
        CHECK(json_of(a)["allowed"] == true);
        REQUIRE(room.checks.size() == 1);
        CHECK(room.checks[0].protocol == "WHIP");
        REQUIRE(run_until(f.ioc, [&] { return !room.events_of<proto::stream_up>().empty(); }));
        CHECK(room.events_of<proto::stream_up>()[0].stream.source == "WHIP");
    }
    SECTION("streams that are not seats, or another app, are refused without asking")
    {
        auto a = post_signed(
            f.ioc,
            port,
            webhook_body("incoming", "opening", "RTMP", "rtmp://h:1935/app/cam42?token=t", 5006));
        CHECK(json_of(a)["allowed"] == false);
        auto b = post_signed(
            f.ioc,
            port,
            webhook_body(
                "incoming", "opening", "RTMP", "rtmp://h:1935/other/stream0?token=t", 5007));
        CHECK(json_of(b)["allowed"] == false);
        CHECK(room.checks.empty());
    }
    SECTION("a publish URL with anything after the stream name is refused without asking")
    {
        // We never hand out such URLs; how OME names the stream for them is
        // not pinned down, so a token for stream1 must not open another path.
        auto a = post_signed(
            f.ioc,
            port,
            webhook_body(
                "incoming", "opening", "RTMP", "rtmp://h:1935/app/stream1/stream2?token=t", 5008));
        CHECK(json_of(a)["allowed"] == false);
        CHECK_THAT(json_of(a)["reason"].get<std::string>(), Catch::Contains("after the stream"));
        CHECK(room.checks.empty());
    }
    SECTION("viewers: known rooms' streams allowed, others refused, room never asked")
    {
        auto a = post_signed(
            f.ioc,
            port,
            webhook_body(
                "outgoing", "opening", "LLHLS", "http://h:3333/app/stream0/llhls.m3u8", 6001));
        CHECK(json_of(a) == nlohmann::json{{"allowed", true}});
        auto b = post_signed(
            f.ioc,
            port,
            webhook_body("outgoing", "opening", "WebRTC", "ws://h:3333/app/nosuchstream", 6002));
        CHECK(json_of(b)["allowed"] == false);
        auto c = post_signed(
            f.ioc,
            port,
            webhook_body("outgoing", "closing", "WebRTC", "ws://h:3333/app/stream0", 6001));
        CHECK(json_of(c) == nlohmann::json::object());
        CHECK(room.checks.empty());
    }
}

TEST_CASE("stray closings never take down the current publisher's stream", "[loopback]")
{
    fixture f;
    const auto port = f.gateway->http_port();
    fake_room room(f.ioc, f.gateway->link_port());
    REQUIRE(run_until(f.ioc, [&] { return room.connected; }));
    const std::string url = "rtmp://127.0.0.1:1935/app/stream0?token=abc123";

    // Holder admitted on port 7001.
    CHECK(json_of(post_signed(
              f.ioc, port, webhook_body("incoming", "opening", "RTMP", url, 7001)))["allowed"] ==
          true);
    REQUIRE(run_until(f.ioc, [&] { return room.events_of<proto::stream_up>().size() == 1; }));

    // An intruder is refused (port 7002); OME then sends a closing for it (case b).
    room.decide = [](const proto::admission_check&) {
        return proto::reply_body{proto::admission_result{false, "seat taken"}};
    };
    CHECK(json_of(post_signed(
              f.ioc, port, webhook_body("incoming", "opening", "RTMP", url, 7002)))["allowed"] ==
          false);
    CHECK(post_signed(f.ioc, port, webhook_body("incoming", "closing", "RTMP", url, 7002)).status ==
          200);
    f.ioc.poll();
    CHECK(room.events_of<proto::stream_down>().empty());

    // The holder's real closing ends it; OME's duplicate (case h) changes nothing.
    CHECK(post_signed(f.ioc, port, webhook_body("incoming", "closing", "RTMP", url, 7001)).status ==
          200);
    CHECK(post_signed(f.ioc, port, webhook_body("incoming", "closing", "RTMP", url, 7001)).status ==
          200);
    REQUIRE(run_until(f.ioc, [&] { return room.events_of<proto::stream_down>().size() == 1; }));
    f.ioc.poll();
    CHECK(room.events_of<proto::stream_down>().size() == 1);
}

TEST_CASE("open mode admits seat streams without asking the room", "[loopback]")
{
    auto cfg = make_config(0);
    cfg.mode = config::admission_mode::open;
    fixture f(cfg);
    auto a =
        post_signed(f.ioc,
                    f.gateway->http_port(),
                    webhook_body("incoming", "opening", "RTMP", "rtmp://h:1935/app/stream8", 8001));
    CHECK(json_of(a) == nlohmann::json{{"allowed", true}});
    auto b =
        post_signed(f.ioc,
                    f.gateway->http_port(),
                    webhook_body("incoming", "opening", "RTMP", "rtmp://h:1935/app/stream9", 8002));
    CHECK(json_of(b)["allowed"] == false);  // room "main" has seats 0..8
}

// Readiness without cycles (issue 11): neither OME (refused port) nor the
// room service (no link) is there, and the gateway is ready once its first
// poll has failed: it answers webhooks (refusing) and backs off.
TEST_CASE("health, readiness with both peers absent, metrics only on the metrics listener",
          "[loopback]")
{
    fixture f;
    const auto port = f.gateway->http_port();
    auto health = run_coroutine(f.ioc, http_call(port, "GET", "/healthz", "", {}));
    CHECK(health.status == 200);
    http_answer ready;
    for (int i = 0; i < 200; ++i) {
        ready = run_coroutine(f.ioc, http_call(port, "GET", "/readyz", "", {}));
        if (ready.status == 200) break;
        // Only before the first poll has ended.
        CHECK_THAT(json_of(ready)["reason"].get<std::string>(),
                   Catch::Equals("OME not polled yet"));
        run_until(
            f.ioc, [] { return false; }, 10ms);
    }
    REQUIRE(ready.status == 200);
    CHECK(json_of(ready)["ready"] == true);
    const auto degraded = json_of(ready)["degraded"].get<std::string>();
    CHECK_THAT(degraded, Catch::Contains("OME unreachable"));
    CHECK_THAT(degraded, Catch::Contains("backing off"));
    CHECK_THAT(degraded, Catch::Contains("no room service link"));
    // Its job meanwhile: a signed webhook gets an answer (no, fail closed).
    auto answer =
        post_signed(f.ioc,
                    port,
                    webhook_body("incoming", "opening", "RTMP", "rtmp://h:1935/app/stream1", 8101));
    CHECK(answer.status == 200);
    CHECK(json_of(answer)["allowed"] == false);
    // /metrics is not on the webhook listener (reachable by OME, and often
    // by more), only on gateway.metrics.
    auto refused = run_coroutine(f.ioc, http_call(port, "GET", "/metrics", "", {}));
    CHECK(refused.status == 404);
    CHECK_THAT(refused.body, !Catch::Contains("ovs_gateway"));
    const auto metrics_port = f.gateway->metrics_port();
    REQUIRE(metrics_port != 0);
    REQUIRE(metrics_port != port);
    CHECK(run_coroutine(f.ioc, http_call(metrics_port, "POST", "/v1/admission", "{}", {})).status ==
          405);
    auto metrics = run_coroutine(f.ioc, http_call(metrics_port, "GET", "/metrics", "", {}));
    CHECK(metrics.status == 200);
    CHECK_THAT(metrics.content_type, Catch::StartsWith("text/plain"));
    CHECK_THAT(metrics.body, Catch::Contains("ovs_gateway_link_up 0"));
    CHECK_THAT(metrics.body, Catch::Contains("# TYPE ovs_gateway_poll_duration_seconds histogram"));
}

}  // namespace ovs::gateway::test
