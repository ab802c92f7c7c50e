// Replays every recorded REST request of tests/fixtures/ome-recorded-v0.20.0
// against the stand-in, with the same state (stream0 published by RTMP,
// stream1 by SRT, ...), and compares status, headers (names in order, values
// except Date) and body bytes after masking values that change by the second.
#include "loopback.hpp"

#include <ovs/ome_standin/ome_standin.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <regex>

using namespace ovs;
using namespace ovs::ome_standin;
using namespace ovs::standin_test;
using stand_in = ovs::ome_standin::ome_standin;

namespace {

std::string const recorded_dir = "ome-recorded-v0.20.0/";

// Values that change with time and traffic. Everything else (keys, order,
// ids, sizes, codecs, float formatting) must match the recording.
std::vector<std::string> const volatile_keys = {"bitrate",
                                                "bitrateAvg",
                                                "bitrateLatest",
                                                "framerateLatest",
                                                "keyFrameInterval",
                                                "keyFrameIntervalAvg",
                                                "keyFrameIntervalLatest",
                                                "deltaFramesSinceLastKeyFrame",
                                                "createdTime",
                                                "lastRecvTime",
                                                "lastSentTime",
                                                "lastUpdatedTime",
                                                "maxTotalConnectionTime",
                                                "avgThroughputIn",
                                                "avgThroughputOut",
                                                "lastThroughputIn",
                                                "lastThroughputOut",
                                                "maxThroughputIn",
                                                "maxThroughputOut",
                                                "totalBytesIn",
                                                "totalBytesOut",
                                                "totalConnections",
                                                "maxTotalConnections"};

std::string mask_source_port(std::string s)
{
    static std::regex const source(R"j(("sourceUrl":"[A-Z]+://127\.0\.0\.1:)[0-9]+")j");
    return std::regex_replace(s, source, "$1P\"");
}

void compare_with_recording(std::string const& name, http_reply const& got)
{
    INFO("recorded case " << name);
    int const recorded_status = std::stoi(read_fixture(recorded_dir + name + ".status"));
    CHECK(got.status == recorded_status);

    std::string const recorded_body = read_fixture(recorded_dir + name + ".json");
    CHECK(mask_source_port(mask_json(got.body, volatile_keys)) ==
          mask_source_port(mask_json(recorded_body, volatile_keys)));

    auto const want = recorded_headers(read_fixture(recorded_dir + name + ".headers.txt"));
    REQUIRE(got.headers.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        INFO("header #" << i);
        CHECK(got.headers[i].first == want[i].first);
        if (want[i].first == "Date") {
            CHECK(std::regex_match(
                got.headers[i].second,
                std::regex(R"j([A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT)j")));
        } else if (want[i].first == "Content-Length") {
            CHECK(got.headers[i].second == std::to_string(got.body.size()));
        } else {
            CHECK(got.headers[i].second == want[i].second);
        }
    }
}

struct replay_step {
    char const* name;
    char const* method;
    char const* target;
    char const* token;  // nullptr = no Authorization header
};

asio::awaitable<void> replay(stand_in* standin, std::vector<replay_step> steps)
{
    for (auto const& step : steps) {
        std::optional<std::string> auth;
        if (step.token) auth = basic_auth(step.token);
        http_reply const got =
            co_await http_call(standin->api_port(), step.method, step.target, auth);
        compare_with_recording(step.name, got);
    }
}

char const* const streams = "/v1/vhosts/default/apps/app/streams";
char const* const right = "ome-access-token";
char const* const wrong = "wrong-token";

std::vector<replay_step> steps_before_publish()
{
    return {
        {"01_GET_streams_empty", "GET", streams, right},
        {"02_GET_streams_wrong_token", "GET", streams, wrong},
        {"03_GET_streams_no_auth", "GET", streams, nullptr},
        {"04_GET_streams_unknown_app", "GET", "/v1/vhosts/default/apps/nosuchapp/streams", right},
        {"05_GET_vhosts", "GET", "/v1/vhosts", right},
        {"06_GET_apps", "GET", "/v1/vhosts/default/apps", right},
        {"07_GET_stream0_before_publish",
         "GET",
         "/v1/vhosts/default/apps/app/streams/stream0",
         right},
        {"08_GET_streams_unknown_vhost", "GET", "/v1/vhosts/nosuchvhost/apps/app/streams", right},
        {"09_DELETE_stream0_wrong_token",
         "DELETE",
         "/v1/vhosts/default/apps/app/streams/stream0",
         wrong}};
}

std::vector<replay_step> steps_while_rtmp()
{
    return {
        {"10_GET_streams_publishing", "GET", streams, right},
        {"11_GET_stream0_detail", "GET", "/v1/vhosts/default/apps/app/streams/stream0", right},
        {"12_GET_stats_current_stream0",
         "GET",
         "/v1/stats/current/vhosts/default/apps/app/streams/stream0",
         right},
        {"13_GET_stats_current_stream0_after_llhls",
         "GET",
         "/v1/stats/current/vhosts/default/apps/app/streams/stream0",
         right},
        {"30_DELETE_stream0", "DELETE", "/v1/vhosts/default/apps/app/streams/stream0", right},
        {"31_GET_streams_after_delete", "GET", streams, right},
        {"32_GET_stream0_after_delete",
         "GET",
         "/v1/vhosts/default/apps/app/streams/stream0",
         right},
        {"33_GET_stats_current_stream0_after_delete",
         "GET",
         "/v1/stats/current/vhosts/default/apps/app/streams/stream0",
         right},
        {"34_DELETE_stream0_again", "DELETE", "/v1/vhosts/default/apps/app/streams/stream0", right},
        {"14_GET_stats_current_app", "GET", "/v1/stats/current/vhosts/default/apps/app", right}};
}

std::vector<replay_step> steps_while_srt()
{
    return {
        {"40_GET_streams_srt_publishing", "GET", streams, right},
        {"41_GET_stream1_srt_detail", "GET", "/v1/vhosts/default/apps/app/streams/stream1", right}};
}

std::vector<replay_step> steps_after_restart()
{
    return {{"50_GET_streams_after_restart", "GET", streams, right}};
}

asio::awaitable<void> replay_session(stand_in* standin)
{
    co_await replay(standin, steps_before_publish());

    // ffmpeg -f flv rtmp://127.0.0.1:1935/app/stream0 (x264 gave 640x352, AAC mono 67 kb/s).
    publish_request rtmp;
    rtmp.protocol = ingest_protocol::rtmp;
    rtmp.stream = "stream0";
    media_params m;
    m.height = 352;
    m.audio_bitrate = 67000;
    rtmp.media = m;
    auto const published = co_await standin->publish(rtmp);
    REQUIRE(published.admitted);

    co_await replay(standin, steps_while_rtmp());

    // ffmpeg -f mpegts srt://127.0.0.1:9999?streamid=default/app/stream1
    publish_request srt;
    srt.protocol = ingest_protocol::srt;
    srt.stream = "stream1";
    auto const srt_published = co_await standin->publish(srt);
    REQUIRE(srt_published.admitted);
    co_await replay(standin, steps_while_srt());

    // The log counts every call, DELETEs included (what gateway tests rely on).
    auto const log = standin->api_log();
    CHECK(log.size() == 21);
    CHECK(std::count_if(log.begin(), log.end(), [](api_log_entry const& e) {
              return e.method == "DELETE";
          }) == 3);
    CHECK(std::count_if(
              log.begin(), log.end(), [](api_log_entry const& e) { return !e.auth_ok; }) == 3);
    standin->stop();
}

asio::awaitable<void> replay_after_restart(stand_in* standin)
{
    co_await replay(standin, steps_after_restart());
    standin->stop();
}

}  // namespace

TEST_CASE("every recorded v0.20.0 REST exchange replays against the stand-in", "[loopback]")
{
    asio::io_context ioc;
    {
        stand_in standin(ioc.get_executor(), standin_config{});
        standin.start();
        run_scenario(ioc, replay_session(&standin), std::chrono::seconds(20));
    }
    // A restarted OME has no streams.
    asio::io_context ioc2;
    stand_in restarted(ioc2.get_executor(), standin_config{});
    restarted.start();
    run_scenario(ioc2, replay_after_restart(&restarted), std::chrono::seconds(10));
}

namespace {

asio::awaitable<void> version_differences(stand_in* v18, stand_in* v21, stand_in* v15)
{
    auto const auth = basic_auth("ome-access-token");
    for (auto* s : {v18, v21}) {
        publish_request r;
        r.stream = "cam";
        auto const done_1 = co_await s->publish(r);
        REQUIRE(done_1.admitted);
    }
    auto const old =
        co_await http_call(v18->api_port(), "GET", "/v1/vhosts/default/apps/app/streams/cam", auth);
    auto const old_json = nlohmann::json::parse(old.body);
    auto const& old_input_video = old_json["response"]["input"]["tracks"][0]["video"];
    CHECK(old_input_video["bitrate"].is_string());  // <= 0.18: strings
    CHECK(old_input_video["keyFrameInterval"].is_number_integer());
    CHECK(old_json["response"]["outputs"][0]["tracks"][0]["video"] ==
          nlohmann::json{{"bypass", true}});

    auto const latest =
        co_await http_call(v21->api_port(), "GET", "/v1/vhosts/default/apps/app/streams/cam", auth);
    auto const latest_json = nlohmann::json::parse(latest.body);
    auto const& bypass_video = latest_json["response"]["outputs"][0]["tracks"][0]["video"];
    CHECK(bypass_video["bitrate"].is_number_integer());
    CHECK(bypass_video.contains("timebase"));
    CHECK(bypass_video.contains("maxWidth"));
    CHECK(bypass_video["codecStatus"] == "Ready");
    auto const version = co_await http_call(v21->api_port(), "GET", "/v1/version", auth);
    CHECK(nlohmann::json::parse(version.body)["response"]["version"] == "0.21.0");

    auto const refused =
        co_await http_call(v15->api_port(), "GET", "/v1/vhosts", basic_auth("nope"));
    CHECK(refused.status == 403);
    for (auto const& [name, value] : refused.headers) CHECK(name != "WWW-Authenticate");
    auto const no_version = co_await http_call(v15->api_port(), "GET", "/v1/version", auth);
    CHECK(no_version.status == 404);
    for (auto* s : {v18, v21, v15}) s->stop();
}

asio::awaitable<void> api_faults(stand_in* standin)
{
    auto const auth = basic_auth("ome-access-token");
    auto const preflight =
        co_await http_call(standin->api_port(), "OPTIONS", "/v1/anything", std::nullopt);
    CHECK(preflight.status == 204);

    standin->set_api_mode(api_mode::down);
    bool refused = false;
    try {
        co_await http_call(standin->api_port(), "GET", "/v1/vhosts", auth);
    } catch (boost::system::system_error const&) {
        refused = true;
    }
    CHECK(refused);
    standin->set_api_mode(api_mode::normal);
    auto const back = co_await http_call(standin->api_port(), "GET", "/v1/vhosts", auth);
    CHECK(back.status == 200);
    CHECK(standin->api_log().back().status == 200);
    standin->stop();
}

}  // namespace

TEST_CASE("version differences: 0.15 auth, 0.18 strings, 0.21 extra fields", "[loopback]")
{
    asio::io_context ioc;
    standin_config c18, c21, c15;
    c18.version = ome_version::v0_18;
    c21.version = ome_version::v0_21;
    c15.version = ome_version::v0_15;
    stand_in v18(ioc.get_executor(), c18), v21(ioc.get_executor(), c21),
        v15(ioc.get_executor(), c15);
    v18.start();
    v21.start();
    v15.start();
    run_scenario(ioc, version_differences(&v18, &v21, &v15), std::chrono::seconds(10));
}

TEST_CASE("API down refuses connections and comes back up on the same port", "[loopback]")
{
    asio::io_context ioc;
    stand_in standin(ioc.get_executor(), standin_config{});
    standin.start();
    run_scenario(ioc, api_faults(&standin), std::chrono::seconds(10));
}
