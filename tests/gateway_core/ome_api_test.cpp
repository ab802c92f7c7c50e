#include "fixtures.hpp"

#include <ovs/gateway/ome_api.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <stdexcept>

using namespace ovs::gateway;
using ovs::gateway::test::read_file;
using ovs::gateway::test::read_status;
using ovs::gateway::test::recorded_dir;

namespace {

struct recorded {
    unsigned status;
    std::string body;
};

// An api_*.json recording of the webhook run, with its status from the .meta.json.
recorded load_api(const std::filesystem::path& body_file)
{
    std::string meta = body_file.string();
    meta.replace(meta.size() - 5, 5, ".meta.json");
    auto doc = nlohmann::json::parse(read_file(meta));
    return {doc.at("status").get<unsigned>(), read_file(body_file)};
}

bool is_api_body(const std::filesystem::path& f, const std::string& prefix)
{
    const std::string name = f.filename().string();
    return name.rfind(prefix, 0) == 0 && name.find(".meta.") == std::string::npos;
}

recorded load(const std::string& name)
{
    return {read_status(recorded_dir() / (name + ".status")),
            read_file(recorded_dir() / (name + ".json"))};
}

}  // namespace

TEST_CASE("request paths are built and escaped", "[unit][ome_api]")
{
    CHECK(streams_path("default", "app") == "/v1/vhosts/default/apps/app/streams");
    CHECK(stream_path("default", "app", "stream0") ==
          "/v1/vhosts/default/apps/app/streams/stream0");
    CHECK(stream_path("default", "app", "a b/c?d") ==
          "/v1/vhosts/default/apps/app/streams/a%20b%2Fc%3Fd");
    // ':' would turn an app into an action route (app:startPush).
    CHECK(streams_path("default", "app:x") == "/v1/vhosts/default/apps/app%3Ax/streams");
    CHECK(version_path() == "/v1/version");
    CHECK_THROWS_AS(stream_path("default", "app", ""), std::invalid_argument);
    CHECK_THROWS_AS(streams_path("", "app"), std::invalid_argument);
}

TEST_CASE("the Authorization value is base64 of the whole token", "[unit][ome_api]")
{
    // The pair from OME's Server.xml comments (CONTRACT §1.2).
    CHECK(basic_authorization("ome-access-token") == "Basic b21lLWFjY2Vzcy10b2tlbg==");
    // No user:password split: the colon is just part of the token.
    CHECK(basic_authorization("admin:secret") == "Basic YWRtaW46c2VjcmV0");
    CHECK(basic_authorization("a") == "Basic YQ==");
    CHECK(basic_authorization("ab") == "Basic YWI=");
    CHECK(basic_authorization("abc") == "Basic YWJj");
}

TEST_CASE("recorded stream lists parse", "[unit][ome_api][recorded]")
{
    const std::map<std::string, std::vector<std::string>> cases = {
        {"01_GET_streams_empty", {}},
        {"10_GET_streams_publishing", {"stream0"}},
        {"31_GET_streams_after_delete", {}},
        {"40_GET_streams_srt_publishing", {"stream1"}},
        {"50_GET_streams_after_restart", {}},
        // vhost and app lists have the same shape
        {"05_GET_vhosts", {"default"}},
        {"06_GET_apps", {"app"}},
    };
    for (const auto& [name, want] : cases) {
        INFO(name);
        auto r = load(name);
        auto list = parse_stream_list(r.status, r.body);
        REQUIRE(list.ok());
        CHECK(list.value() == want);
    }
}

TEST_CASE("recorded stream lists from the webhook run parse", "[unit][ome_api][recorded]")
{
    auto files = ovs::gateway::test::files_ending(ovs::gateway::test::webhooks_dir(), ".json");
    int seen = 0;
    for (const auto& f : files) {
        if (!is_api_body(f, "api_streams_")) continue;
        INFO(f.string());
        auto r = load_api(f);
        REQUIRE(r.status == 200);
        auto list = parse_stream_list(r.status, r.body);
        REQUIRE(list.ok());
        for (const auto& s : list.value()) CHECK_FALSE(s.empty());
        ++seen;
    }
    CHECK(seen >= 10);
}

TEST_CASE("recorded errors are classified", "[unit][ome_api][recorded]")
{
    const std::map<std::string, ome_error_kind> cases = {
        {"02_GET_streams_wrong_token", ome_error_kind::unauthorized},
        {"03_GET_streams_no_auth", ome_error_kind::unauthorized},
        {"04_GET_streams_unknown_app", ome_error_kind::app_not_found},
        {"07_GET_stream0_before_publish", ome_error_kind::stream_not_found},
        {"08_GET_streams_unknown_vhost", ome_error_kind::vhost_not_found},
        {"32_GET_stream0_after_delete", ome_error_kind::stream_not_found},
        {"33_GET_stats_current_stream0_after_delete", ome_error_kind::stream_not_found},
    };
    for (const auto& [name, kind] : cases) {
        INFO(name);
        auto r = load(name);
        auto list = parse_stream_list(r.status, r.body);
        REQUIRE_FALSE(list.ok());
        CHECK(list.error().kind == kind);
        CHECK(list.error().http_status == r.status);
        CHECK_FALSE(list.error().message.empty());
        auto detail = parse_stream_details(r.status, r.body);
        REQUIRE_FALSE(detail.ok());
        CHECK(detail.error().kind == kind);
    }
    auto wrong = load("02_GET_streams_wrong_token");
    CHECK_THAT(parse_stream_list(wrong.status, wrong.body).error().message,
               Catch::Contains("Invalid credential"));
}

TEST_CASE("recorded DELETE answers", "[unit][ome_api][recorded]")
{
    auto ok = load("30_DELETE_stream0");
    CHECK(parse_delete(ok.status, ok.body).ok());
    auto again = load("34_DELETE_stream0_again");
    auto r = parse_delete(again.status, again.body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ome_error_kind::stream_not_found);
    auto wrong = load("09_DELETE_stream0_wrong_token");
    REQUIRE_FALSE(parse_delete(wrong.status, wrong.body).ok());
    CHECK(parse_delete(wrong.status, wrong.body).error().kind == ome_error_kind::unauthorized);
}

TEST_CASE("recorded RTMP stream detail", "[unit][ome_api][recorded]")
{
    auto r = load("11_GET_stream0_detail");
    auto d = parse_stream_details(r.status, r.body);
    REQUIRE(d.ok());
    const auto& s = d.value();
    CHECK(s.name == "stream0");
    CHECK(s.source == source_kind::rtmp);
    CHECK(source_name(s.source) == "RTMP");
    CHECK(s.source_type == "Rtmp");
    REQUIRE(s.peer);
    CHECK(s.peer->socket_type == "TCP");
    CHECK(s.peer->address == "127.0.0.1");
    CHECK(s.peer->port == 38970);
    CHECK(s.created_time == "2026-11-24T17:25:34.409+00:00");
    REQUIRE(s.created);
    REQUIRE(s.video);
    CHECK(s.video->codec == "H264");
    CHECK(s.video->width == 640);
    CHECK(s.video->height == 352);
    CHECK(s.video->bitrate == 154008);
    CHECK(s.video->framerate == Approx(30.0));
    CHECK_FALSE(s.video->bypass);
    REQUIRE(s.audio);
    CHECK(s.audio->codec == "AAC");
    CHECK(s.audio->samplerate == 44100);
    CHECK(s.audio->channels == 1);
    CHECK(s.audio->bitrate == 67000);
}

TEST_CASE("recorded SRT stream detail (Data track first)", "[unit][ome_api][recorded]")
{
    auto r = load("41_GET_stream1_srt_detail");
    auto d = parse_stream_details(r.status, r.body);
    REQUIRE(d.ok());
    const auto& s = d.value();
    CHECK(s.name == "stream1");
    CHECK(s.source == source_kind::srt);
    CHECK(source_name(s.source) == "SRT");
    REQUIRE(s.peer);
    CHECK(s.peer->socket_type == "SRT");
    CHECK(s.peer->port == 50804);
    REQUIRE(s.video);
    CHECK(s.video->codec == "H264");
    CHECK(s.video->width == 640);
    CHECK(s.video->height == 360);
    CHECK(s.video->bitrate == 171840);
    REQUIRE(s.audio);
    CHECK(s.audio->codec == "AAC");
}

TEST_CASE("recorded stream details from the webhook run parse", "[unit][ome_api][recorded]")
{
    auto files = ovs::gateway::test::files_ending(ovs::gateway::test::webhooks_dir(), ".json");
    int seen = 0;
    for (const auto& f : files) {
        if (!is_api_body(f, "api_stream") || is_api_body(f, "api_streams_")) continue;
        INFO(f.string());
        auto r = load_api(f);
        auto d = parse_stream_details(r.status, r.body);
        if (r.status == 404) {  // case d: stream0 was redirected to stream5
            REQUIRE_FALSE(d.ok());
            CHECK(d.error().kind == ome_error_kind::stream_not_found);
            continue;
        }
        REQUIRE(d.ok());
        CHECK_FALSE(d.value().name.empty());
        CHECK(d.value().source != source_kind::unknown);
        REQUIRE(d.value().video);
        CHECK(d.value().video->width > 0);
        REQUIRE(d.value().peer);
        CHECK(d.value().peer->port > 0);
        ++seen;
    }
    CHECK(seen >= 2);
}

TEST_CASE("0.18-style details: numbers as strings, int keyFrameInterval", "[unit][ome_api]")
{
    const std::string body = R"j({"message":"OK","statusCode":200,"response":{"name":"s",
      "input":{"createdTime":"2023-01-02T03:04:05.678+09:00","sourceType":"WebRTC",
      "sourceUrl":"TCP://198.51.100.20:40000","tracks":[
        {"id":0,"type":"Video","video":{"bypass":false,"codec":"VP8","width":"1280","height":720,
          "bitrate":"2500000","bitrateConf":"0","framerate":"29.97","keyFrameInterval":30}},
        {"id":1,"type":"Audio","audio":{"bypass":false,"codec":"OPUS","samplerate":48000,
          "channel":2,"bitrate":"128000"}}]},"outputs":[]}})j";
    auto d = parse_stream_details(200, body);
    REQUIRE(d.ok());
    CHECK(d.value().source == source_kind::webrtc);
    CHECK(source_name(d.value().source) == "WebRTC");  // WHIP looks the same here
    REQUIRE(d.value().video);
    CHECK(d.value().video->width == 1280);
    CHECK(d.value().video->bitrate == 2500000);
    CHECK(d.value().video->framerate == Approx(29.97));
    REQUIRE(d.value().audio);
    CHECK(d.value().audio->bitrate == 128000);
    CHECK(d.value().audio->channels == 2);
    REQUIRE(d.value().created);
    // 03:04:05.678 at +09:00 is 18:04:05.678 UTC the day before.
    using namespace std::chrono;
    CHECK(*d.value().created == sys_days{2023y / January / 1} + 18h + 4min + 5s + 678ms);
}

TEST_CASE("0.19-style bypass-only tracks and missing fields", "[unit][ome_api]")
{
    const std::string body = R"j({"message":"OK","statusCode":200,"response":{"name":"s",
      "input":{"sourceType":"Rtmp","tracks":[
        {"id":0,"type":"Video","video":{"bypass":true}},
        {"id":1,"type":"Audio","audio":{"bypass":true}}]}}})j";
    auto d = parse_stream_details(200, body);
    REQUIRE(d.ok());
    CHECK_FALSE(d.value().peer);
    CHECK_FALSE(d.value().created);
    REQUIRE(d.value().video);
    CHECK(d.value().video->bypass);
    CHECK(d.value().video->codec.empty());
    CHECK(d.value().video->width == 0);
    CHECK(d.value().video->bitrate == 0);
    REQUIRE(d.value().audio);
    CHECK(d.value().audio->bypass);
}

TEST_CASE("0.21-style details with extra fields and timebase", "[unit][ome_api]")
{
    const std::string body = R"j({"statusCode":200,"message":"OK","response":{"name":"stream1",
      "input":{"createdTime":"2026-08-20T10:00:00.123+00:00","sourceType":"Rtmp",
      "sourceUrl":"TCP://203.0.113.7:51234","tracks":[
        {"id":0,"name":"Video","type":"Video","video":{"bypass":false,"codec":"H264",
          "codecModule":"none","width":1280,"height":720,"maxWidth":1280,"maxHeight":720,
          "bitrate":2500000,"framerate":30.0,"maxFramerate":30.0,"keyFrameInterval":30.0,
          "timebase":{"num":1,"den":1000},"codecStatus":"Ready"}},
        {"id":2,"name":"Sub","type":"Subtitle","subtitle":{"codec":"WebVTT"}},
        {"id":3,"name":"D","type":"Data","data":{}}]},"outputs":[]}})j";
    auto d = parse_stream_details(200, body);
    REQUIRE(d.ok());
    REQUIRE(d.value().peer);
    CHECK(d.value().peer->address == "203.0.113.7");
    CHECK(d.value().peer->port == 51234);
    REQUIRE(d.value().video);
    CHECK(d.value().video->height == 720);
    CHECK_FALSE(d.value().audio);
}

TEST_CASE("an empty stream name in a list is skipped", "[unit][ome_api]")
{
    // No stream can be addressed by "" (".../streams/" is another request),
    // and the path builders refuse it: the gateway must never be handed one.
    auto list =
        parse_stream_list(200, R"j({"message":"OK","response":["","stream1"],"statusCode":200})j");
    REQUIRE(list.ok());
    CHECK(list.value() == std::vector<std::string>{"stream1"});
}

TEST_CASE("unexpected bodies are bad_response, not crashes", "[unit][ome_api]")
{
    auto not_json = parse_stream_list(200, "<html>oops</html>");
    REQUIRE_FALSE(not_json.ok());
    CHECK(not_json.error().kind == ome_error_kind::bad_response);
    CHECK_THAT(not_json.error().message, Catch::Contains("not JSON"));

    auto empty = parse_stream_list(200, "");
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().kind == ome_error_kind::bad_response);

    auto array_top = parse_stream_list(200, "[]");
    REQUIRE_FALSE(array_top.ok());
    CHECK(array_top.error().kind == ome_error_kind::bad_response);

    auto no_response = parse_stream_list(200, R"j({"message":"OK","statusCode":200})j");
    REQUIRE_FALSE(no_response.ok());
    CHECK(no_response.error().kind == ome_error_kind::bad_response);

    auto mixed =
        parse_stream_list(200, R"j({"message":"OK","response":["a",1],"statusCode":200})j");
    REQUIRE_FALSE(mixed.ok());
    CHECK(mixed.error().kind == ome_error_kind::bad_response);

    auto detail_list =
        parse_stream_details(200, R"j({"message":"OK","response":[],"statusCode":200})j");
    REQUIRE_FALSE(detail_list.ok());
    CHECK(detail_list.error().kind == ome_error_kind::bad_response);

    auto no_input = parse_stream_details(200, R"j({"response":{"name":"x"}})j");
    REQUIRE_FALSE(no_input.ok());
    CHECK(no_input.error().kind == ome_error_kind::bad_response);

    auto proxy = parse_stream_list(502, "<html>Bad Gateway</html>");
    REQUIRE_FALSE(proxy.ok());
    CHECK(proxy.error().kind == ome_error_kind::http_error);
    CHECK(proxy.error().http_status == 502);

    auto server = parse_stream_list(500, R"j({"message":"[HTTP] boom (500)","statusCode":500})j");
    REQUIRE_FALSE(server.ok());
    CHECK(server.error().kind == ome_error_kind::http_error);
    CHECK_THAT(server.error().message, Catch::Contains("boom"));
}

TEST_CASE("auth failures of old OME (403) and other 403s", "[unit][ome_api]")
{
    auto old = parse_stream_list(
        403, R"j({"message":"[HTTP] Invalid credential (403)","statusCode":403})j");
    REQUIRE_FALSE(old.ok());
    CHECK(old.error().kind == ome_error_kind::unauthorized);

    auto bare = parse_stream_list(403, "");
    REQUIRE_FALSE(bare.ok());
    CHECK(bare.error().kind == ome_error_kind::unauthorized);

    auto pull_only = parse_delete(
        403, R"j({"message":"[HTTP] Only pull streams can be deleted. (403)","statusCode":403})j");
    REQUIRE_FALSE(pull_only.ok());
    CHECK(pull_only.error().kind == ome_error_kind::forbidden);

    auto bearer = parse_stream_list(
        401,
        R"j({"message":"[HTTP] Not supported credential type: Bearer (401)","statusCode":401})j");
    REQUIRE_FALSE(bearer.ok());
    CHECK(bearer.error().kind == ome_error_kind::unauthorized);
}

TEST_CASE("transport errors and kind names", "[unit][ome_api]")
{
    auto e = transport_error("connection refused");
    CHECK(e.kind == ome_error_kind::unreachable);
    CHECK(e.http_status == 0);
    CHECK_THAT(e.message, Catch::Contains("connection refused"));
    CHECK(to_string(ome_error_kind::stream_not_found) == "stream_not_found");
    CHECK(to_string(ome_error_kind::unauthorized) == "unauthorized");
}

TEST_CASE("source types map to our names", "[unit][ome_api]")
{
    CHECK(source_kind_from_ome("WebRTC") == source_kind::webrtc);
    CHECK(source_kind_from_ome("Rtmp") == source_kind::rtmp);
    CHECK(source_kind_from_ome("RTMP") == source_kind::rtmp);
    CHECK(source_kind_from_ome("SRT") == source_kind::srt);
    CHECK(source_kind_from_ome("RtmpPull") == source_kind::rtmp_pull);
    CHECK(source_kind_from_ome("RtspPull") == source_kind::rtsp_pull);
    CHECK(source_kind_from_ome("MPEGTS") == source_kind::mpegts);
    CHECK(source_kind_from_ome("Ovt") == source_kind::ovt);
    CHECK(source_kind_from_ome("Something") == source_kind::unknown);
    CHECK(source_name(source_kind::ovt) == "unknown");
}

TEST_CASE("peer addresses from sourceUrl", "[unit][ome_api]")
{
    auto v4 = parse_peer_address("tcp://203.0.113.7:51234");
    REQUIRE(v4);
    CHECK(v4->socket_type == "TCP");
    CHECK(v4->address == "203.0.113.7");
    CHECK(v4->port == 51234);
    auto v6 = parse_peer_address("TCP://[2001:db8::1]:4000");
    REQUIRE(v6);
    CHECK(v6->address == "2001:db8::1");
    CHECK(v6->port == 4000);
    CHECK_FALSE(parse_peer_address("rtsp://10.0.0.5:554/live"));
    CHECK_FALSE(parse_peer_address("TCP://1.2.3.4"));
    CHECK_FALSE(parse_peer_address("TCP://1.2.3.4:0"));
    CHECK_FALSE(parse_peer_address("TCP://1.2.3.4:99999"));
    CHECK_FALSE(parse_peer_address("TCP://2001:db8::1:80"));
    CHECK_FALSE(parse_peer_address(""));
}

TEST_CASE("/v1/version", "[unit][ome_api]")
{
    auto v = parse_version(
        200,
        R"j({"message":"OK","response":{"gitVersion":"v0.21.0-0-ga35b09d","version":"0.21.0"},"statusCode":200})j");
    REQUIRE(v.ok());
    CHECK(v.value().major == 0);
    CHECK(v.value().minor == 21);
    CHECK(v.value().micro == 0);
    CHECK(v.value().git == "v0.21.0-0-ga35b09d");

    auto old =
        parse_version(404, R"j({"message":"[HTTP] Controller not found (404)","statusCode":404})j");
    REQUIRE_FALSE(old.ok());
    CHECK(old.error().kind == ome_error_kind::no_route);

    auto junk = parse_version(
        200, R"j({"message":"OK","response":{"version":"banana"},"statusCode":200})j");
    REQUIRE_FALSE(junk.ok());
    CHECK(junk.error().kind == ome_error_kind::bad_response);
}

TEST_CASE("version strings compare numerically", "[unit][ome_api]")
{
    auto v0_20 = parse_version_string("0.20");
    auto v0_20_5 = parse_version_string("v0.20.5");
    auto v0_9 = parse_version_string("0.9.1");
    REQUIRE(v0_20);
    REQUIRE(v0_20_5);
    REQUIRE(v0_9);
    CHECK(*v0_9 < *v0_20);
    CHECK(*v0_20 < *v0_20_5);
    CHECK(*parse_version_string("0.20.0") == *v0_20);
    CHECK(parse_version_string("0.21.0-rc1"));
    CHECK_FALSE(parse_version_string("0"));
    CHECK_FALSE(parse_version_string("latest"));
    CHECK_FALSE(parse_version_string("0.20x"));
}

TEST_CASE("recorded stream statistics give the viewer count", "[unit][ome_api][recorded]")
{
    CHECK(stream_stats_path("default", "app", "stream0") ==
          "/v1/stats/current/vhosts/default/apps/app/streams/stream0");
    auto r = load("12_GET_stats_current_stream0");
    auto n = parse_stream_viewers(r.status, r.body);
    REQUIRE(n.ok());
    CHECK(n.value() == 0);
    auto gone = load("33_GET_stats_current_stream0_after_delete");
    auto g = parse_stream_viewers(gone.status, gone.body);
    REQUIRE_FALSE(g.ok());
    CHECK(g.error().kind == ome_error_kind::stream_not_found);
    const std::string three =
        R"({"message":"OK","response":{"connections":{"llhls":1,"webrtc":2},"totalConnections":3},"statusCode":200})";
    auto t = parse_stream_viewers(200, three);
    REQUIRE(t.ok());
    CHECK(t.value() == 3);
    auto bad = parse_stream_viewers(200, R"({"message":"OK","response":{},"statusCode":200})");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ome_error_kind::bad_response);
}
