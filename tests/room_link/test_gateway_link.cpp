// gateway_link against a fake gateway (libs/link's link_server) and a real
// room_server, all on 127.0.0.1 with free ports, observed the way browsers
// and probes see it: /ws frames, /api/rooms/<id>, /readyz.

#include "rig.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <string>

using namespace ovs;
using namespace ovs::room;
using namespace ovs::room::link_testing;
using namespace std::chrono_literals;

namespace {

asio::awaitable<json> room_json(std::uint16_t port)
{
    const std::string target = "/api/rooms/main";
    auto r = co_await http_get(port, target);
    REQUIRE(r.status == 200);
    co_return json::parse(r.body);
}

// g++ 12: arguments of a co_await expression are named variables, never
// temporaries built from literals or initializer lists.
const std::string readyz = "/readyz";
const std::string healthz = "/healthz";
const std::string main_room = "main";
const std::string seat_type = "seat";

json command_json(const std::string& type, unsigned seat)
{
    return json{{"type", type}, {"seat", seat}};
}

proto::request admission_request(std::string stream, std::string token, std::string direction)
{
    return proto::admission_check{
        0, std::move(stream), std::move(token), std::move(direction), "WebRTC", "127.0.0.1"};
}

asio::awaitable<proto::admission_result> ask(fake_gateway& gw, proto::request req)
{
    auto rep = co_await gw.server().request(req);
    REQUIRE(rep.ok());
    const auto* result = std::get_if<proto::admission_result>(&rep.body);
    REQUIRE(result != nullptr);
    co_return *result;
}

}  // namespace

TEST_CASE("the gateway's stream events drive the seats", "[loopback]")
{
    rig r;
    r.run([](rig& t) -> asio::awaitable<void> {
        auto ws = co_await ws_client::open(t.port, main_room);
        // The greeting ends with media_status; everything before it is applied.
        auto media = co_await ws->next_media(true);
        CHECK(media["stale"] == false);
        CHECK(media["version"] == "0.20.0");
        auto ready = co_await http_get(t.port, readyz);
        CHECK(ready.status == 200);

        auto room = co_await room_json(t.port);
        auto seat0 = room["seats"][0];
        CHECK(seat0["state"] == "live");
        CHECK(seat0["source"] == "RTMP");
        CHECK(seat0["video"]["codec"] == "H264");
        CHECK(seat0["video"]["width"] == 1280);
        CHECK(seat0["video"]["height"] == 720);
        CHECK(seat0["bitrate"] == 2500000);
        CHECK(room["seats"][1]["state"] == "free");
        CHECK(room["playback"]["webrtc"] == "ws://h:3333/app/{stream}");
        CHECK(room["playback"]["llhls"] == "http://h:3333/app/{stream}/llhls.m3u8");

        proto::stream_info up{"stream1", "WebRTC", {}, {}, {}, {}};
        REQUIRE(t.gw.server().send_event(proto::stream_up{up}));
        auto seat = co_await ws->next_of(seat_type);
        CHECK(seat["seat"]["index"] == 1);
        CHECK(seat["seat"]["state"] == "live");
        CHECK(seat["seat"]["source"] == "WebRTC");

        REQUIRE(t.gw.server().send_event(proto::stream_down{rtmp_stream("stream0")}));
        seat = co_await ws->next_of(seat_type);
        CHECK(seat["seat"]["index"] == 0);
        CHECK(seat["seat"]["state"] == "free");

        // A new snapshot is authoritative: stream1 goes, stream3 comes.
        REQUIRE(t.gw.server().send_event(proto::streams{{rtmp_stream("stream3")}}));
        auto first = co_await ws->next_of(seat_type);
        auto second = co_await ws->next_of(seat_type);
        CHECK(first["seat"]["index"] == 1);
        CHECK(first["seat"]["state"] == "free");
        CHECK(second["seat"]["index"] == 3);
        CHECK(second["seat"]["state"] == "live");
        co_await ws->close();
    }(r));
}

TEST_CASE("claims carry publish URLs and admission checks follow the claim", "[loopback]")
{
    rig r;
    r.run([](rig& t) -> asio::awaitable<void> {
        auto ws = co_await ws_client::open(t.port, main_room);
        co_await ws->next_media(true);

        json claim_cmd = command_json("claim", 2);
        auto reply = co_await ws->command(claim_cmd);
        REQUIRE(reply["ok"] == true);
        const std::string token = reply["token"];
        CHECK(reply["stream"] == "stream2");
        auto publish = reply["publish"];
        CHECK(publish["webrtc"] == "ws://h:3333/app/stream2?direction=send&token=" + token);
        CHECK(publish["whip"] == "http://h:3333/app/stream2?direction=whip&token=" + token);
        CHECK(publish["rtmp_server"] == "rtmp://h:1935/app");
        CHECK(publish["rtmp_key"] == "stream2?token=" + token);
        CHECK(publish["rtmp"] == "rtmp://h:1935/app/stream2?token=" + token);
        CHECK(publish["srt"] == "srt://h:9999?streamid=default%2Fapp%2Fstream2%3Ftoken%3D" + token);

        auto ok_req = admission_request("stream2", token, "publish");
        auto ok = co_await ask(t.gw, ok_req);
        CHECK(ok.allowed);
        CHECK(ok.reason == "seat_holder");
        auto wrong_req = admission_request("stream2", token + "x", "publish");
        auto wrong = co_await ask(t.gw, wrong_req);
        CHECK_FALSE(wrong.allowed);
        CHECK(wrong.reason == "bad_token");
        auto unclaimed_req = admission_request("stream1", token, "publish");
        auto unclaimed = co_await ask(t.gw, unclaimed_req);
        CHECK_FALSE(unclaimed.allowed);
        CHECK(unclaimed.reason == "no_claim");
        auto live_req = admission_request("stream0", "", "publish");
        auto live = co_await ask(t.gw, live_req);
        CHECK_FALSE(live.allowed);
        CHECK(live.reason == "already_live");
        auto stranger_req = admission_request("elsewhere", token, "publish");
        auto stranger = co_await ask(t.gw, stranger_req);
        CHECK_FALSE(stranger.allowed);
        CHECK(stranger.reason == "unknown_stream");

        // Playback: public for seat streams, refused for others.
        auto play_req = admission_request("stream2", "", "play");
        auto play = co_await ask(t.gw, play_req);
        CHECK(play.allowed);
        auto play_free_req = admission_request("stream1", "", "play");
        auto play_free = co_await ask(t.gw, play_free_req);
        CHECK(play_free.allowed);
        auto play_unknown_req = admission_request("elsewhere", "", "play");
        auto play_unknown = co_await ask(t.gw, play_unknown_req);
        CHECK_FALSE(play_unknown.allowed);
        CHECK(play_unknown.reason == "unknown_stream");

        // The room serves no other request.
        proto::request kick = proto::kick{0, "stream2", "test"};
        auto rep = co_await t.gw.server().request(kick);
        REQUIRE_FALSE(rep.ok());
        CHECK(rep.error()->code == "unsupported");
        co_await ws->close();
    }(r));
}

TEST_CASE("releasing a seat kicks its stream at the gateway", "[loopback]")
{
    rig r;
    r.run([](rig& t) -> asio::awaitable<void> {
        auto ws = co_await ws_client::open(t.port, main_room);
        co_await ws->next_media(true);
        json claim_cmd = command_json("claim", 1);
        auto claim = co_await ws->command(claim_cmd);
        REQUIRE(claim["ok"] == true);
        CHECK(t.gw.kicks.empty());
        json release_cmd = command_json("release", 1);
        auto release = co_await ws->command(release_cmd);
        REQUIRE(release["ok"] == true);
        co_await t.gw.kicked.wait();
        REQUIRE(t.gw.kicks.size() == 1);
        CHECK(t.gw.kicks[0].stream == "stream1");
        CHECK(t.gw.kicks[0].reason == "released");
        co_await ws->close();
    }(r));
}

TEST_CASE("a lost gateway marks media stale and the room degraded (still ready) until it is back",
          "[loopback]")
{
    rig r;
    r.run([](rig& t) -> asio::awaitable<void> {
        auto ws = co_await ws_client::open(t.port, main_room);
        co_await ws->next_media(true);
        auto ready_linked = co_await http_get(t.port, readyz);
        CHECK(ready_linked.status == 200);
        CHECK_FALSE(json::parse(ready_linked.body).contains("degraded"));
        json claim_cmd = command_json("claim", 3);
        auto claim = co_await ws->command(claim_cmd);
        REQUIRE(claim["ok"] == true);

        const auto gw_port = t.gw.port();
        t.gw.stop();
        // Without its gateway the room knows nothing of OME: unknown (null),
        // not unreachable.
        auto media = co_await ws->next_media(nullptr);
        CHECK(media["stale"] == true);
        CHECK(media["version"] == "0.20.0");
        // Still ready: pages and WebSockets work without the gateway.
        auto ready_unlinked = co_await http_get(t.port, readyz);
        CHECK(ready_unlinked.status == 200);
        CHECK_THAT(json::parse(ready_unlinked.body).value("degraded", ""),
                   Catch::Contains("no gateway link"));
        CHECK_FALSE(t.link->connected());
        // The room keeps serving its last state.
        auto room = co_await room_json(t.port);
        CHECK(room["seats"][0]["state"] == "live");

        // A release while unlinked: the kick waits for the next connection.
        json release_cmd = command_json("release", 3);
        auto release = co_await ws->command(release_cmd);
        REQUIRE(release["ok"] == true);

        // The gateway comes back on the same port; the room reconnects and
        // gets the full greeting again (stream0 is gone in the new snapshot).
        t.gw.greeting.front() = proto::streams{};
        t.gw.listen(gw_port);
        co_await t.gw.connected.wait();  // the first connect
        co_await t.gw.connected.wait();  // the reconnect
        co_await ws->next_media(true);
        auto ready_relinked = co_await http_get(t.port, readyz);
        CHECK(ready_relinked.status == 200);
        CHECK_FALSE(json::parse(ready_relinked.body).contains("degraded"));
        CHECK(t.link->connected());
        room = co_await room_json(t.port);
        CHECK(room["seats"][0]["state"] == "free");
        CHECK(room["media"]["stale"] == false);

        co_await t.gw.kicked.wait();
        REQUIRE(t.gw.kicks.size() == 1);
        CHECK(t.gw.kicks[0].stream == "stream3");
        CHECK(t.gw.kicks[0].reason == "released");
        co_await ws->close();
    }(r));
}

// Readiness without cycles (issue 11): the gateway is reached through a
// Service that routes only to ready pods, so the room must not wait for it.
TEST_CASE("a room whose gateway never answers is ready, serves WebSockets and says it is degraded",
          "[loopback]")
{
    rig r;
    r.run([](rig& t) -> asio::awaitable<void> {
        t.gw.stop();  // nobody listens on room.gateway from here on
        auto ready = co_await http_get(t.port, readyz);
        CHECK(ready.status == 200);
        auto body = json::parse(ready.body);
        CHECK(body["ready"] == true);
        CHECK_THAT(body.value("degraded", ""), Catch::Contains("no gateway link"));
        auto health = co_await http_get(t.port, healthz);
        CHECK(health.status == 200);
        auto ws = co_await ws_client::open(t.port, main_room);
        // No word from the gateway: OME's state is unknown (null), not "down".
        auto media = co_await ws->next_media(nullptr);
        CHECK(media["stale"] == true);
        CHECK_FALSE(t.link->connected());
        co_await ws->close();
    }(r));
}

TEST_CASE("a stopped link leaves the room ready and degraded", "[loopback]")
{
    rig r;
    r.run([](rig& t) -> asio::awaitable<void> {
        t.link->stop();
        auto ready_stopped = co_await http_get(t.port, readyz);
        CHECK(ready_stopped.status == 200);
        CHECK_THAT(json::parse(ready_stopped.body).value("degraded", ""),
                   Catch::Contains("no gateway link"));
    }(r));
}
