#include "fixtures.hpp"

#include <ovs/gateway/admission_webhook.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace ovs::gateway;
namespace fs = std::filesystem;
using ovs::gateway::test::files_ending;
using ovs::gateway::test::read_file;
using ovs::gateway::test::signature_header;
using ovs::gateway::test::webhooks_dir;

namespace {

const std::string secret = "ome-webhook-secret";

// The worked example of CONTRACT.md §3.3 (240 bytes).
const std::string contract_opening =
    R"j({"client":{"address":"203.0.113.7","port":51234,"real_ip":"203.0.113.7"},"request":{"direction":"incoming","protocol":"RTMP","status":"opening","time":"2025-01-15T10:20:30.123+00:00","url":"rtmp://ome.example.com:1935/app/stream1?key=abc"}})j";
const std::string contract_closing =
    R"j({"client":{"address":"203.0.113.7","port":51234,"real_ip":"203.0.113.7"},"request":{"direction":"incoming","new_url":"rtmp://ome.example.com:1935/app/user42","protocol":"RTMP","status":"closing","time":"2025-01-15T11:02:00.456+00:00","url":"rtmp://ome.example.com:1935/app/stream1?key=abc"}})j";

std::vector<fs::path> recorded_bodies()
{
    std::vector<fs::path> out;
    for (const auto& p : files_ending(webhooks_dir(), ".body.json")) {
        // Only the NNN_* webhook bodies (not api_*.json recordings).
        const std::string name = p.filename().string();
        if (name.size() > 3 && std::isdigit(static_cast<unsigned char>(name[0]))) out.push_back(p);
    }
    return out;
}

fs::path headers_for(const fs::path& body)
{
    std::string s = body.string();
    return fs::path(s.substr(0, s.size() - std::string(".body.json").size()) + ".headers.txt");
}

}  // namespace

TEST_CASE("signature test vectors from the contract", "[unit][webhook]")
{
    REQUIRE(contract_opening.size() == 240);
    CHECK(webhook_signature("1234", contract_opening) == "PNwIkYkS2a2YrskJcxv6-ZLcW4Y");
    CHECK(webhook_signature("1234", contract_closing) == "ytASjhhxTe4p76n2tN19W2GXjyo");
    CHECK(verify_signature("1234", contract_opening, "PNwIkYkS2a2YrskJcxv6-ZLcW4Y"));
    // Tolerated: padding and blanks around the header value.
    CHECK(verify_signature("1234", contract_opening, " PNwIkYkS2a2YrskJcxv6-ZLcW4Y= "));
    // Refused: plain base64 alphabet (#596), wrong key, changed body, empty.
    CHECK_FALSE(verify_signature("1234", contract_opening, "PNwIkYkS2a2YrskJcxv6+ZLcW4Y"));
    CHECK_FALSE(verify_signature("12345", contract_opening, "PNwIkYkS2a2YrskJcxv6-ZLcW4Y"));
    CHECK_FALSE(verify_signature("1234", contract_opening + "\n", "PNwIkYkS2a2YrskJcxv6-ZLcW4Y"));
    CHECK_FALSE(verify_signature("1234", contract_opening, ""));
    CHECK_FALSE(verify_signature("1234", contract_opening, "PNwIkYkS2a2YrskJcxv6-ZLcW4"));
}

TEST_CASE("an empty secret signs, but never verifies (anyone could sign with it)",
          "[unit][webhook]")
{
    // OME accepts an empty SecretKey and signs with it; the gateway never
    // accepts such a signature: no webhook is taken unsigned.
    auto sig = webhook_signature("", "{}");
    CHECK(sig.size() == 27);
    CHECK_FALSE(verify_signature("", "{}", sig));
    CHECK_FALSE(verify_signature("x", "{}", sig));
}

TEST_CASE("every recorded webhook verifies over its raw bytes", "[unit][webhook][recorded]")
{
    auto bodies = recorded_bodies();
    REQUIRE(bodies.size() == 70);  // the INDEX: all 70 signatures match
    for (const auto& body_file : bodies) {
        INFO(body_file.string());
        const std::string body = read_file(body_file);
        REQUIRE_FALSE(body.empty());
        CHECK(body.back() == '}');  // raw bytes: no trailing newline
        const std::string header = signature_header(headers_for(body_file));
        CHECK(header.size() == 27);
        CHECK(webhook_signature(secret, body) == header);
        CHECK(verify_signature(secret, body, header));
        CHECK_FALSE(verify_signature("wrong-secret", body, header));
        CHECK_FALSE(verify_signature(secret, body + "\n", header));
    }
}

TEST_CASE("every recorded webhook parses and names its stream", "[unit][webhook][recorded]")
{
    for (const auto& body_file : recorded_bodies()) {
        INFO(body_file.string());
        const std::string body = read_file(body_file);
        auto r = parse_webhook(body);
        REQUIRE(r.request);
        const auto& w = *r.request;
        auto doc = nlohmann::json::parse(body);
        CHECK(w.address == doc["client"]["address"].get<std::string>());
        CHECK(w.port == doc["client"]["port"].get<unsigned>());
        CHECK(w.real_ip == doc["client"]["real_ip"].get<std::string>());
        CHECK(w.url == doc["request"]["url"].get<std::string>());
        CHECK(w.protocol != webhook_protocol::unknown);
        REQUIRE(w.target);
        CHECK(w.target->app == "app");
        CHECK_FALSE(w.target->stream.empty());
        CHECK(w.user_agent ==
              doc["client"].value("user_agent", std::string{}));  // absent for RTMP/SRT
        // The file name carries direction, protocol and status.
        const std::string name = body_file.filename().string();
        CHECK((name.find("_incoming_") != std::string::npos) ==
              (w.direction == webhook_direction::incoming));
        CHECK((name.find("_closing") != std::string::npos) ==
              (w.status == webhook_status::closing));
        // new_url appears in every closing and never in an opening (INDEX item 4).
        CHECK(w.new_url.empty() == (w.status == webhook_status::opening));
        if (w.status == webhook_status::closing) CHECK(w.new_target);
    }
}

TEST_CASE("recorded RTMP opening", "[unit][webhook][recorded]")
{
    auto body = read_file(webhooks_dir() / "a_rtmp_publish_allowed" /
                          "001_incoming_RTMP_opening.body.json");
    auto r = parse_webhook(body);
    REQUIRE(r.request);
    const auto& w = *r.request;
    CHECK(w.address == "127.0.0.1");
    CHECK(w.port == 50178);
    CHECK(w.user_agent.empty());
    CHECK(w.direction == webhook_direction::incoming);
    CHECK(w.protocol == webhook_protocol::rtmp);
    CHECK(w.protocol_text == "RTMP");
    CHECK(w.status == webhook_status::opening);
    CHECK(w.time == "2026-11-24T17:44:46.289+00:00");
    CHECK(w.source_name() == "RTMP");
    REQUIRE(w.target);
    CHECK(w.target->scheme == "rtmp");
    CHECK(w.target->host == "127.0.0.1");
    CHECK(w.target->port == std::uint16_t{1935});
    CHECK(w.target->vhost.empty());
    CHECK(w.target->app == "app");
    CHECK(w.target->stream == "stream0");
    CHECK(w.target->token == std::optional<std::string>("abc123"));
    CHECK(w.effective_stream() == "stream0");
}

TEST_CASE("recorded redirect closing names the target stream", "[unit][webhook][recorded]")
{
    auto body = read_file(webhooks_dir() / "d_rtmp_new_url_redirect" /
                          "011_incoming_RTMP_closing.body.json");
    auto r = parse_webhook(body);
    REQUIRE(r.request);
    REQUIRE(r.request->target);
    REQUIRE(r.request->new_target);
    CHECK(r.request->target->stream == "stream0");
    CHECK(r.request->new_target->stream == "stream5");
    CHECK_FALSE(r.request->new_target->token);
    CHECK(r.request->effective_stream() == "stream5");
}

TEST_CASE("recorded SRT opening: vhost in the host, no port", "[unit][webhook][recorded]")
{
    auto body = read_file(webhooks_dir() / "f1_srt_publish_streamid_query" /
                          "001_incoming_SRT_opening.body.json");
    auto r = parse_webhook(body);
    REQUIRE(r.request);
    CHECK(r.request->protocol == webhook_protocol::srt);
    CHECK(r.request->source_name() == "SRT");
    REQUIRE(r.request->target);
    CHECK(r.request->target->vhost == "default");
    CHECK_FALSE(r.request->target->port);
    CHECK(r.request->target->app == "app");
    CHECK(r.request->target->stream == "stream1");
    CHECK(r.request->target->token == std::optional<std::string>("xyz"));
}

TEST_CASE("recorded LLHLS and WebRTC playback openings", "[unit][webhook][recorded]")
{
    auto llhls = parse_webhook(
        read_file(webhooks_dir() / "g_llhls_playback" / "009_outgoing_LLHLS_opening.body.json"));
    REQUIRE(llhls.request);
    CHECK(llhls.request->direction == webhook_direction::outgoing);
    CHECK(llhls.request->protocol == webhook_protocol::llhls);
    CHECK(llhls.request->real_ip == "203.0.113.7");
    CHECK(llhls.request->user_agent == "fixture-player/1.0");
    REQUIRE(llhls.request->target);
    CHECK(llhls.request->target->stream == "stream0");
    CHECK(llhls.request->target->rest == "llhls.m3u8");
    CHECK(llhls.request->target->token == std::optional<std::string>("viewer42"));

    auto rtc = parse_webhook(read_file(webhooks_dir() / "w_webrtc_playback_signalling" /
                                       "038_outgoing_WebRTC_opening.body.json"));
    REQUIRE(rtc.request);
    CHECK(rtc.request->protocol == webhook_protocol::webrtc);
    CHECK(rtc.request->source_name() == "WebRTC");
    CHECK_FALSE(rtc.request->user_agent.empty());
    REQUIRE(rtc.request->target);
    CHECK(rtc.request->target->scheme == "ws");
    CHECK(rtc.request->target->token == std::optional<std::string>("webrtc1"));
}

TEST_CASE("stream URLs of every form", "[unit][webhook]")
{
    auto whip =
        parse_stream_url("https://ome.example.com:3334/app/s%203?direction=whip&token=a%2Bb");
    REQUIRE(whip);
    CHECK(whip->scheme == "https");
    CHECK(whip->stream == "s 3");
    CHECK(whip->direction == std::optional<std::string>("whip"));
    CHECK(whip->token == std::optional<std::string>("a+b"));

    auto send = parse_stream_url("ws://h:3333/app/stream1?direction=send&transport=tcp&token=T");
    REQUIRE(send);
    CHECK(send->direction == std::optional<std::string>("send"));
    CHECK(send->token == std::optional<std::string>("T"));

    auto legacy = parse_stream_url("srt://ome.example.com:9999/app/stream1?token=xyz");
    REQUIRE(legacy);
    CHECK(legacy->vhost.empty());
    CHECK(legacy->host == "ome.example.com");
    CHECK(legacy->port == std::uint16_t{9999});
    CHECK(legacy->stream == "stream1");
    CHECK(legacy->token == std::optional<std::string>("xyz"));

    auto playlist = parse_stream_url("srt://default/app/stream1/master");
    REQUIRE(playlist);
    CHECK(playlist->vhost == "default");
    CHECK(playlist->rest == "master");
    CHECK_FALSE(playlist->token);

    auto v6 = parse_stream_url("rtmp://[2001:db8::1]:1935/app/s");
    REQUIRE(v6);
    CHECK(v6->host == "2001:db8::1");
    CHECK(v6->port == std::uint16_t{1935});

    auto first_token = parse_stream_url("rtmp://h:1935/app/s?token=one&token=two");
    REQUIRE(first_token);
    CHECK(first_token->token == std::optional<std::string>("one"));

    CHECK_FALSE(parse_stream_url("rtmp://h:1935/app"));
    CHECK_FALSE(parse_stream_url("rtmp://h:1935/app/"));
    CHECK_FALSE(parse_stream_url("no-scheme/app/s"));
    CHECK_FALSE(parse_stream_url("rtmp://h:99999/app/s"));
    CHECK_FALSE(parse_stream_url("rtmp://h:1935/app/s%zz"));
    auto bad_token = parse_stream_url("rtmp://h:1935/app/s?token=%zz");
    REQUIRE(bad_token);
    CHECK_FALSE(bad_token->token);
}

TEST_CASE("WHIP is told apart from WebRTC by its URL", "[unit][webhook]")
{
    const std::string body =
        R"j({"client":{"address":"198.51.100.20","port":53122,"real_ip":"198.51.100.20","user_agent":"obs"},"request":{"direction":"incoming","protocol":"webrtc","status":"opening","time":"2026-08-20T10:00:01.000+00:00","url":"http://h:3333/app/stream2?direction=whip&token=T"}})j";
    auto r = parse_webhook(body);
    REQUIRE(r.request);
    CHECK(r.request->protocol == webhook_protocol::webrtc);  // lower case accepted
    CHECK(r.request->is_whip());
    CHECK(r.request->source_name() == "WHIP");
}

TEST_CASE("bad webhook bodies are refused with a reason", "[unit][webhook]")
{
    const std::pair<std::string, std::string> cases[] = {
        {"", "not JSON"},
        {"[]", "not a JSON object"},
        {R"j({"request":{}})j", "client"},
        {R"j({"client":{"address":"a","port":1}})j", "request"},
        {R"j({"client":{"port":1},"request":{}})j", "client.address"},
        {R"j({"client":{"address":"a","port":"1"},"request":{}})j", "client.port"},
        {R"j({"client":{"address":"a","port":70000},"request":{}})j", "client.port"},
        {R"j({"client":{"address":"a","port":1},"request":{"direction":"sideways","status":"opening","protocol":"RTMP","url":"rtmp://h/a/s"}})j",
         "direction"},
        {R"j({"client":{"address":"a","port":1},"request":{"direction":"incoming","status":"open","protocol":"RTMP","url":"rtmp://h/a/s"}})j",
         "status"},
        {R"j({"client":{"address":"a","port":1},"request":{"direction":"incoming","status":"opening","url":"rtmp://h/a/s"}})j",
         "protocol"},
        {R"j({"client":{"address":"a","port":1},"request":{"direction":"incoming","status":"opening","protocol":"RTMP"}})j",
         "url"},
    };
    for (const auto& [body, needle] : cases) {
        INFO(body);
        auto r = parse_webhook(body);
        CHECK_FALSE(r.request);
        CHECK_THAT(r.error, Catch::Contains(needle));
    }
}

TEST_CASE("old field spellings and unknown protocols", "[unit][webhook]")
{
    auto r = parse_webhook(
        R"j({"client":{"address":"10.0.0.1","port":5,"user-agent":"old"},"request":{"direction":"outgoing","protocol":"Thumbnail","status":"opening","url":"http://h:20080/app/s/thumb.jpg"}})j");
    REQUIRE(r.request);
    CHECK(r.request->real_ip == "10.0.0.1");  // before 0.16.8
    CHECK(r.request->user_agent == "old");    // 0.15.3-0.15.11 spelling
    CHECK(r.request->protocol == webhook_protocol::thumbnail);

    auto u = parse_webhook(
        R"j({"client":{"address":"10.0.0.1","port":5},"request":{"direction":"incoming","protocol":"MPEGTS","status":"opening","url":"weird"}})j");
    REQUIRE(u.request);
    CHECK(u.request->protocol == webhook_protocol::unknown);
    CHECK_FALSE(u.request->target);
    CHECK(u.request->effective_stream().empty());
}

TEST_CASE("answers for OME", "[unit][webhook]")
{
    CHECK(allow_response() == R"j({"allowed":true})j");
    CHECK(allow_response(0) == R"j({"allowed":true})j");
    CHECK(allow_response(5000) == R"j({"allowed":true,"lifetime":5000})j");
    auto deny = nlohmann::json::parse(deny_response("seat 3 is held by someone else"));
    CHECK(deny["allowed"].is_boolean());
    CHECK(deny["allowed"] == false);
    CHECK(deny["reason"] == "seat 3 is held by someone else");
    CHECK(deny_response("") == R"j({"allowed":false})j");
    CHECK(deny_response("quote\" and \xff").find("allowed") != std::string::npos);
    CHECK(closing_response() == "{}");
}
