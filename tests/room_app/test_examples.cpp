// proto/examples/ws/ against the real server: every server->browser example
// has the shape (keys and JSON types) of a frame the server really sends, and
// every browser->server example is accepted as a command.

#include "fixture.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace ovs;
using namespace ovs::room;
using namespace ovs::room::testing;

namespace {

json load_example(const std::string& name)
{
    std::ifstream in(std::string(OVS_SOURCE_DIR) + "/proto/examples/ws/" + name);
    if (!in) throw std::runtime_error("missing example " + name);
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
}

// Same keys and JSON kinds, recursively; arrays compare element by element
// against the example's first element.
std::string shape_difference(const json& example, const json& actual, const std::string& at)
{
    auto kind = [](const json& j) -> std::string {
        if (j.is_number()) return "number";
        return j.type_name();
    };
    if (kind(example) != kind(actual)) {
        return at + ": example is " + kind(example) + ", server sent " + kind(actual);
    }
    if (example.is_object()) {
        for (auto& [k, v] : example.items()) {
            if (!actual.contains(k)) return at + "." + k + ": missing in what the server sent";
            auto d = shape_difference(v, actual[k], at + "." + k);
            if (!d.empty()) return d;
        }
        for (auto& [k, v] : actual.items()) {
            if (!example.contains(k)) return at + "." + k + ": not in the example";
        }
    }
    if (example.is_array() && !example.empty()) {
        for (std::size_t i = 0; i < actual.size(); ++i) {
            auto d = shape_difference(example[0], actual[i], at + "[" + std::to_string(i) + "]");
            if (!d.empty()) return d;
        }
    }
    return "";
}

void check_shape(const std::string& example_name, const json& actual)
{
    INFO(example_name << "\nserver sent: " << actual.dump());
    CHECK(shape_difference(load_example(example_name), actual, "$") == "");
}

endpoint_templates templates()
{
    endpoint_templates t;
    t.playback = {{"webrtc", "ws://h:3333/app/{stream}"},
                  {"llhls", "http://h:3333/app/{stream}/llhls.m3u8"}};
    t.publish = {{"webrtc", "ws://h:3333/app/{stream}?direction=send&token={token}"},
                 {"whip", "http://h:3333/app/{stream}?direction=whip&token={token}"},
                 {"rtmp_server", "rtmp://h:1935/app"},
                 {"rtmp_key", "{stream}?token={token}"},
                 {"rtmp", "rtmp://h:1935/app/{stream}?token={token}"},
                 {"srt", "srt://h:9999?streamid=default%2Fapp%2F{stream}%3Ftoken%3D{token}"}};
    return t;
}

asio::awaitable<void> examples(fixture* f)
{
    auto& server = f->server;
    server.on_media_status({true, false, "0.20.0"});
    server.on_endpoints(templates());
    auto a = co_await ws_client::open(f->port);
    check_shape("s2c_snapshot.json", co_await a->next_of("snapshot"));
    auto b = co_await ws_client::open(f->port);
    co_await b->next_of("snapshot");
    check_shape("s2c_viewers.json", co_await a->next_of("viewers"));

    // Commands exactly as the examples write them.
    auto claim = load_example("c2s_claim.json");
    auto reply = co_await a->command(claim);
    REQUIRE(reply["ok"] == true);
    check_shape("s2c_reply_claim.json", reply);
    CHECK(reply["publish"]["rtmp_key"] == "stream3?token=" + reply["token"].get<std::string>());
    auto taken = co_await b->command(claim);
    check_shape("s2c_reply_error.json", taken);

    // A resume with the example's (wrong) token is a well-formed command.
    auto bad_resume = co_await b->command(load_example("c2s_resume.json"));
    CHECK(bad_resume["error"]["code"] == "bad_token");
    auto resume = load_example("c2s_resume.json");
    resume["token"] = reply["token"];
    auto resumed = co_await b->command(resume);
    REQUIRE(resumed["ok"] == true);
    check_shape("s2c_reply_claim.json", resumed);

    server.on_stream_up("stream3", stream_info{"RTMP", "H264", 1280, 720, 2500000});
    for (;;) {
        auto seat = co_await a->next_of("seat");
        if (seat["seat"]["state"] == "live") {
            check_shape("s2c_seat.json", seat);
            break;
        }
    }
    // OME took the stream but never started its outputs.
    stream_info stuck;
    stuck.source = "WebRTC";
    stuck.outputs = stream_outputs::failed;
    server.on_stream_up("stream3", stuck);
    const auto failed = co_await a->next_of("seat");
    CHECK(failed["seat"]["state"] == "failed");
    CHECK(failed["seat"]["error"]["code"] == "outputs_not_started");
    check_shape("s2c_seat_failed.json", failed);
    server.on_media_status({false, true, "0.20.0"});
    check_shape("s2c_media.json", co_await a->next_of("media"));
    server.on_endpoints(templates());
    check_shape("s2c_playback.json", co_await a->next_of("playback"));

    auto pong = co_await a->command(load_example("c2s_ping.json"));
    check_shape("s2c_reply_ping.json", pong);
    auto release = co_await b->command(load_example("c2s_release.json"));
    check_shape("s2c_reply_release.json", release);
    co_await a->send("{not json");
    check_shape("s2c_error.json", co_await a->next_of("error"));
}

}  // namespace

TEST_CASE("proto/examples/ws match what the server sends and accepts", "[loopback]")
{
    fixture f;
    f.run(examples(&f));
}
