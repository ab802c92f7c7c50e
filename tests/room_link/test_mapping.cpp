// The pure proto <-> room translations used by gateway_link.

#include "rig.hpp"

#include <ovs/room/gateway_mapping.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>

using namespace ovs;
using namespace ovs::room;

TEST_CASE("a proto stream keeps source, video codec and size, and bitrate", "[unit]")
{
    proto::stream_info s;
    s.name = "stream3";
    s.source = "RTMP";
    s.video = proto::video_info{"H264", 1280, 720, 30.0};
    s.audio = proto::audio_info{"AAC", 48000, 2};
    s.bitrate = 2628000;
    auto r = to_room_stream(s);
    CHECK(r.source == "RTMP");
    CHECK(r.video_codec == "H264");
    CHECK(r.width == 1280);
    CHECK(r.height == 720);
    CHECK(r.bitrate == 2628000);
}

TEST_CASE("missing stream details map to the room's 'unknown' values", "[unit]")
{
    proto::stream_info s;
    s.name = "stream0";
    s.source = "Unknown";
    auto r = to_room_stream(s);
    CHECK(r.source == "unknown");
    CHECK(r.video_codec.empty());
    CHECK(r.width == 0);
    CHECK(r.bitrate == 0);

    s.video = proto::video_info{std::nullopt, std::nullopt, 480, std::nullopt};
    s.source = "SRT";
    r = to_room_stream(s);
    CHECK(r.source == "SRT");
    CHECK(r.width == 0);
    CHECK(r.height == 480);
}

TEST_CASE("a stream's outputs map to the room's, absent means ready", "[unit]")
{
    proto::stream_info s;
    s.name = "stream1";
    s.source = "WebRTC";
    CHECK(to_room_stream(s).outputs == stream_outputs::ready);
    s.outputs = proto::outputs_state::starting;
    CHECK(to_room_stream(s).outputs == stream_outputs::starting);
    s.outputs = proto::outputs_state::failed;
    CHECK(to_room_stream(s).outputs == stream_outputs::failed);
    s.outputs = proto::outputs_state::ready;
    CHECK(to_room_stream(s).outputs == stream_outputs::ready);
}

TEST_CASE("a snapshot is keyed by stream name", "[unit]")
{
    proto::stream_info a{"stream0", "WebRTC", {}, {}, {}, {}};
    proto::stream_info b{"stream1", "RTMP", {}, {}, {}, 100};
    auto m = to_room_streams({a, b});
    REQUIRE(m.size() == 2);
    CHECK(m.at("stream0").source == "WebRTC");
    CHECK(m.at("stream1").bitrate == 100);
    CHECK(to_room_streams({}).empty());
}

TEST_CASE("endpoints become the playback and publish keys room_server serves", "[unit]")
{
    auto e = link_testing::test_endpoints();
    auto t = to_room_endpoints(e);
    CHECK(t.playback.size() == 2);
    CHECK(t.playback.at("webrtc") == e.webrtc_play);
    CHECK(t.playback.at("llhls") == e.llhls_play);
    CHECK(t.publish.size() == 6);
    CHECK(t.publish.at("webrtc") == e.webrtc_publish);
    CHECK(t.publish.at("whip") == e.whip);
    CHECK(t.publish.at("rtmp_server") == e.rtmp.server);
    CHECK(t.publish.at("rtmp_key") == e.rtmp.key);
    CHECK(t.publish.at("rtmp") == e.rtmp.url);
    CHECK(t.publish.at("srt") == e.srt.url);
    CHECK(t.edges.empty());
    e.edges = {{"edge-1", "ws://e1:3333/app/{stream}", "http://e1:3333/app/{stream}/llhls.m3u8"}};
    t = to_room_endpoints(e);
    REQUIRE(t.edges.size() == 1);
    CHECK(t.edges[0].name == "edge-1");
    CHECK(t.edges[0].playback.at("webrtc") == "ws://e1:3333/app/{stream}");
    CHECK(t.edges[0].playback.at("llhls") == "http://e1:3333/app/{stream}/llhls.m3u8");
    CHECK(t.playback.at("llhls") == e.llhls_play);  // the origin's stay for the fallback
}

TEST_CASE("media status maps, and a lost link keeps only the version", "[unit]")
{
    proto::media_status m{true, std::string("0.20.0"), std::nullopt, false};
    auto r = to_room_media(m);
    CHECK(r.reachable == true);
    CHECK_FALSE(r.stale);
    CHECK(r.version == "0.20.0");
    auto down = link_down_media(r);
    CHECK_FALSE(down.reachable.has_value());  // unknown, not unreachable
    CHECK(down.stale);
    CHECK(down.version == "0.20.0");
    CHECK(to_room_media(proto::media_status{}).version.empty());
}

namespace {

proto::admission_check check_of(std::string direction, std::string token)
{
    return proto::admission_check{
        7, "stream3", std::move(token), std::move(direction), "WebRTC", "203.0.113.7"};
}

}  // namespace

TEST_CASE("publish admission answers with the room's decision and reason", "[unit]")
{
    std::string seen_token;
    auto allow = [&](const std::string& token) {
        seen_token = token;
        return admission{true, std::nullopt};
    };
    auto a =
        answer_admission_check(check_of("publish", "T1"), config::admission_mode::webhook, allow);
    CHECK(a.allowed);
    CHECK(a.reason == "seat_holder");
    CHECK(seen_token == "T1");
    a = answer_admission_check(check_of("publish", "T1"), config::admission_mode::open, allow);
    CHECK(a.reason == "open_mode");

    auto refuse = [](const std::string&) { return admission{false, refusal::bad_token}; };
    a = answer_admission_check(check_of("publish", "x"), config::admission_mode::webhook, refuse);
    CHECK_FALSE(a.allowed);
    CHECK(a.reason == "bad_token");
}

TEST_CASE("play admission: any seat stream is allowed, unknown streams are not", "[unit]")
{
    std::string seen_token = "unset";
    auto no_claim = [&](const std::string& token) {
        seen_token = token;
        return admission{false, refusal::no_claim};
    };
    auto a = answer_admission_check(
        check_of("play", "whatever"), config::admission_mode::webhook, no_claim);
    CHECK(a.allowed);
    CHECK(seen_token.empty());  // the viewer's token plays no part

    auto unknown = [](const std::string&) { return admission{false, refusal::unknown_stream}; };
    a = answer_admission_check(check_of("play", ""), config::admission_mode::webhook, unknown);
    CHECK_FALSE(a.allowed);
    CHECK(a.reason == "unknown_stream");
}

TEST_CASE("an unknown direction is refused", "[unit]")
{
    bool asked = false;
    auto allow = [&](const std::string&) {
        asked = true;
        return admission{true, std::nullopt};
    };
    auto a = answer_admission_check(check_of("record", "T"), config::admission_mode::open, allow);
    CHECK_FALSE(a.allowed);
    CHECK(a.reason == "bad_direction");
    CHECK_FALSE(asked);
}
