// Unit tests of the stand-in's pure parts, checked against bytes a real
// OME v0.20.0 produced (tests/fixtures).
#include "jsoncpp_writer.hpp"
#include "rest_api.hpp"
#include "signing.hpp"
#include "webhook_message.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace ovs::ome_standin;

namespace {

std::string read_fixture(std::string const& relative)
{
    std::ifstream in(std::string(OVS_FIXTURES_DIR) + "/" + relative, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string header_value(std::string const& head, std::string const& name)
{
    auto const at = head.find(name + ": ");
    REQUIRE(at != std::string::npos);
    auto const start = at + name.size() + 2;
    return head.substr(start, head.find("\r\n", start) - start);
}

}  // namespace

TEST_CASE("jsoncpp writer reproduces recorded OME bodies byte for byte", "[unit]")
{
    for (char const* name :
         {"ome-recorded-v0.20.0/11_GET_stream0_detail.json",
          "ome-recorded-v0.20.0/41_GET_stream1_srt_detail.json",
          "ome-recorded-v0.20.0/12_GET_stats_current_stream0.json",
          "ome-recorded-v0.20.0/07_GET_stream0_before_publish.json",
          "ome-webhooks-v0.20.0/d_rtmp_new_url_redirect/011_incoming_RTMP_closing.body.json",
          "ome-webhooks-v0.20.0/g_llhls_playback/009_outgoing_LLHLS_opening.body.json"}) {
        INFO(name);
        std::string const recorded = read_fixture(name);
        CHECK(write_jsoncpp(nlohmann::json::parse(recorded)) == recorded);
    }
}

TEST_CASE("jsoncpp doubles and escapes", "[unit]")
{
    CHECK(format_jsoncpp_double(30.0) == "30.0");
    CHECK(format_jsoncpp_double(static_cast<double>(30.097088f)) == "30.097087860107422");
    CHECK(format_jsoncpp_double(0.0) == "0.0");
    CHECK(write_jsoncpp(nlohmann::json("caf\xc3\xa9/\"\n")) == "\"caf\\u00e9/\\\"\\n\"");
    CHECK(write_jsoncpp(nlohmann::json{{"b", 1}, {"a", nlohmann::json::array()}}) ==
          "{\"a\":[],\"b\":1}");
}

TEST_CASE("signature matches every recorded webhook", "[unit]")
{
    for (char const* stem : {"a_rtmp_publish_allowed/001_incoming_RTMP_opening",
                             "b_rtmp_publish_denied/004_incoming_RTMP_closing",
                             "f1_srt_publish_streamid_query/001_incoming_SRT_opening",
                             "w_webrtc_playback_signalling/038_outgoing_WebRTC_opening"}) {
        INFO(stem);
        std::string const base = std::string("ome-webhooks-v0.20.0/") + stem;
        std::string const body = read_fixture(base + ".body.json");
        std::string const head = read_fixture(base + ".headers.txt");
        CHECK(ome_signature("ome-webhook-secret", body) == header_value(head, "X-OME-Signature"));
    }
    // CONTRACT §3.3 worked example.
    std::string const example =
        R"j({"client":{"address":"203.0.113.7","port":51234,"real_ip":"203.0.113.7"},"request":{"direction":"incoming","protocol":"RTMP","status":"opening","time":"2025-01-15T10:20:30.123+00:00","url":"rtmp://ome.example.com:1935/app/stream1?key=abc"}})j";
    CHECK(ome_signature("1234", example) == "PNwIkYkS2a2YrskJcxv6-ZLcW4Y");
}

TEST_CASE("base64 round trip and refusal", "[unit]")
{
    CHECK(base64_encode("ome-access-token") == "b21lLWFjY2Vzcy10b2tlbg==");
    CHECK(base64_decode("b21lLWFjY2Vzcy10b2tlbg==") ==
          std::optional<std::string>("ome-access-token"));
    CHECK(base64_decode("b21lLWFjY2Vzcy10b2tlbg") ==
          std::optional<std::string>("ome-access-token"));
    CHECK_FALSE(base64_decode("b21l*").has_value());
}

TEST_CASE("opening answers are judged fail-closed", "[unit]")
{
    CHECK(judge_opening_answer(200, R"j({"allowed": true})j").allowed);
    CHECK_FALSE(judge_opening_answer(500, R"j({"allowed": true})j").allowed);
    CHECK_FALSE(judge_opening_answer(201, R"j({"allowed": true})j").allowed);
    CHECK_FALSE(judge_opening_answer(200, R"j({"allowed": true,,, this is not json)j").allowed);
    CHECK_FALSE(judge_opening_answer(200, R"j({"allowed": "true"})j").allowed);
    CHECK_FALSE(judge_opening_answer(200, R"j({"allowed": 1})j").allowed);
    CHECK_FALSE(judge_opening_answer(200, R"j([true])j").allowed);
    auto const denied = judge_opening_answer(200, R"j({"allowed": false, "reason": "nope"})j");
    CHECK_FALSE(denied.allowed);
    CHECK(denied.reason == "nope");
    auto const redirect = judge_opening_answer(
        200, R"j({"allowed":true,"new_url":"rtmp://h:1935/app/s5","lifetime":5000})j");
    REQUIRE(redirect.allowed);
    CHECK(redirect.new_url == std::optional<std::string>("rtmp://h:1935/app/s5"));
    CHECK(redirect.lifetime_ms == 5000);
    CHECK(judge_opening_answer(200, R"j({"allowed":true,"lifetime":"5000"})j").lifetime_ms == 0);
    CHECK(judge_opening_answer(200, R"j({"allowed":true,"lifetime":-1})j").lifetime_ms == 0);
}

TEST_CASE("request urls per protocol", "[unit]")
{
    standin_config config;
    CHECK(ingest_url(config, ingest_protocol::rtmp, "default", "app", "stream0", "token=abc123") ==
          "rtmp://127.0.0.1:1935/app/stream0?token=abc123");
    CHECK(ingest_url(config, ingest_protocol::srt, "default", "app", "stream1", "token=xyz") ==
          "srt://default/app/stream1?token=xyz");
    CHECK(ingest_url(config, ingest_protocol::webrtc, "default", "app", "s", "token=t") ==
          "ws://127.0.0.1:3333/app/s?direction=send&token=t");
    CHECK(ingest_url(config, ingest_protocol::whip, "default", "app", "s", "") ==
          "http://127.0.0.1:3333/app/s?direction=whip");
    CHECK(playback_url(config, playback_protocol::llhls, "app", "stream0", "") ==
          "http://127.0.0.1:3333/app/stream0/llhls.m3u8");
    CHECK(playback_url(config, playback_protocol::webrtc, "app", "stream0", "token=webrtc1") ==
          "ws://127.0.0.1:3333/app/stream0?token=webrtc1");
    auto const r = parse_redirect("rtmp://127.0.0.1:1935/app/stream5");
    REQUIRE(r);
    CHECK(r->app == "app");
    CHECK(r->stream == "stream5");
    CHECK_FALSE(parse_redirect("not a url").has_value());
    auto const u = parse_control_server_url("http://127.0.0.1:9595/v1/admission");
    REQUIRE(u);
    CHECK(u->host_header == "127.0.0.1:9595");
    CHECK(u->port == "9595");
    CHECK(u->target == "/v1/admission");
    CHECK_FALSE(parse_control_server_url("https://x/").has_value());
}

TEST_CASE("auth failures in OME's exact words", "[unit]")
{
    standin_config config;
    model state(config, wall_clock::now());
    auto const call = [&](std::optional<std::string> auth,
                          std::string const& target = "/v1/nothing") {
        return handle_api_request(
            {"GET", target, std::move(auth)}, state, config, wall_clock::now());
    };
    auto const token = "Basic " + base64_encode(config.access_token);
    CHECK(
        call(std::nullopt).response.body ==
        R"j({"message":"[HTTP] Authorization header is required to call API (401)","statusCode":401})j");
    CHECK(call("Basic  " + base64_encode(config.access_token)).response.body ==
          R"j({"message":"[HTTP] Invalid authorization header (401)","statusCode":401})j");
    CHECK(call("Bearer abc").response.body ==
          R"j({"message":"[HTTP] Not supported credential type: Bearer (401)","statusCode":401})j");
    CHECK(call("Basic " + base64_encode("wrong")).response.www_authenticate);
    // Auth before routing: an unknown path still needs a token.
    CHECK(call(std::nullopt).response.status == 401);
    CHECK(call("basic " + base64_encode(config.access_token)).response.body ==
          R"j({"message":"[HTTP] Controller not found (404)","statusCode":404})j");
    CHECK(call(token, "/v1/vhosts/default/apps/app/streams/").response.status == 404);
    CHECK(handle_api_request({"OPTIONS", "/v1/x", std::nullopt}, state, config, wall_clock::now())
              .response.status == 204);
    config.version = ome_version::v0_15;
    auto const old = call("Basic " + base64_encode("wrong"));
    CHECK(old.response.status == 403);
    CHECK_FALSE(old.response.www_authenticate);
    CHECK(old.response.body ==
          R"j({"message":"[HTTP] Invalid credential (403)","statusCode":403})j");
    CHECK(call(token, "/v1/version").response.status == 404);
}
