// Is a stream playable yet: the details' output playlists (recorded from a
// real OME before, without and after its outputs), and the watch that turns
// them into starting / ready / failed over time.

#include "fixtures.hpp"

#include <ovs/gateway/ome_api.hpp>
#include <ovs/gateway/outputs_watch.hpp>

#include <catch2/catch.hpp>

using namespace ovs::gateway;
using namespace ovs::gateway::test;
using namespace std::chrono_literals;
using ovs::proto::outputs_state;

namespace {

stream_details outputs_fixture(const std::string& name)
{
    const auto dir = fixtures_dir() / "ome-outputs-v0.20.0";
    auto d = parse_stream_details(read_status(dir / (name + ".status")),
                                  read_file(dir / (name + ".json")));
    REQUIRE(d.ok());
    return d.value();
}

const outputs_watch::time_point t0 = outputs_watch::time_point{} + 1000h;

outputs_watch make_watch()
{
    return outputs_watch({250ms, 15000ms, 1000ms});
}

}  // namespace

TEST_CASE("a stream's details tell whether OME made its outputs", "[unit][outputs][recorded]")
{
    SECTION("just admitted: no output at all")
    {
        const auto d = outputs_fixture("01_GET_stream0_detail_webrtc_just_admitted");
        CHECK(d.source == source_kind::webrtc);
        CHECK(d.playlists.empty());
        CHECK_FALSE(d.outputs_ready());
    }
    SECTION("an output whose encoder never started: tracks but no playlist")
    {
        const auto d = outputs_fixture("02_GET_stream0_detail_outputs_never_started");
        CHECK(d.playlists.empty());
        CHECK_FALSE(d.outputs_ready());
    }
    SECTION("outputs made: LL-HLS and WebRTC playlists")
    {
        const auto d = outputs_fixture("04_GET_stream0_detail_webrtc_outputs_ready");
        CHECK(d.playlists == std::vector<std::string>{"llhls_default", "webrtc_default"});
        CHECK(d.outputs_ready());
    }
    SECTION("the recorded RTMP stream that played")
    {
        const auto d =
            parse_stream_details(read_status(recorded_dir() / "11_GET_stream0_detail.status"),
                                 read_file(recorded_dir() / "11_GET_stream0_detail.json"));
        REQUIRE(d.ok());
        CHECK(d.value().outputs_ready());
    }
    SECTION("odd shapes count as not ready")
    {
        const std::string head =
            R"({"message":"OK","statusCode":200,"response":{"name":"s","input":{"sourceType":"Rtmp"},)";
        for (const std::string outputs : {R"("outputs":{})",
                                          R"("outputs":[7])",
                                          R"("outputs":[{"playlists":{}}])",
                                          R"("outputs":[{"playlists":[1,2]}])"}) {
            INFO(outputs);
            auto d = parse_stream_details(200, head + outputs + "}}");
            REQUIRE(d.ok());
            CHECK_FALSE(d.value().outputs_ready());
        }
    }
    SECTION("an OME too old to list playlists (0.15): ready once it has an output")
    {
        const std::string head =
            R"({"message":"OK","statusCode":200,"response":{"name":"s","input":{"sourceType":"Rtmp"},)";
        auto none = parse_stream_details(200, head + R"("outputs":[]}})");
        REQUIRE(none.ok());
        CHECK_FALSE(none.value().outputs_ready());
        auto one = parse_stream_details(200, head + R"("outputs":[{"name":"s","tracks":[]}]}})");
        REQUIRE(one.ok());
        CHECK(one.value().outputs_ready());
    }
}

TEST_CASE("a watched stream starts, is probed every interval, and turns ready", "[unit][outputs]")
{
    auto w = make_watch();
    CHECK_FALSE(w.next_deadline());
    w.appeared("stream0", t0);
    CHECK(w.state("stream0") == outputs_state::starting);
    CHECK(w.next_deadline() == t0);
    REQUIRE(w.due(t0) == std::vector<std::string>{"stream0"});
    // In flight: not handed out twice; the timeout is still ahead.
    CHECK(w.due(t0 + 1s).empty());
    CHECK(w.next_deadline() == t0 + 15000ms);

    CHECK_FALSE(w.probed("stream0", false, t0 + 10ms));
    CHECK(w.next_deadline() == t0 + 260ms);
    CHECK(w.due(t0 + 259ms).empty());
    REQUIRE(w.due(t0 + 260ms).size() == 1);
    // OME answered nothing: asked again one interval later.
    w.probe_failed("stream0", t0 + 300ms);
    CHECK(w.next_deadline() == t0 + 550ms);
    REQUIRE(w.due(t0 + 550ms).size() == 1);
    CHECK(w.probed("stream0", true, t0 + 560ms) == outputs_state::ready);
    CHECK(w.state("stream0") == outputs_state::ready);
    // Ready is final: nothing to do any more, and no second change.
    CHECK_FALSE(w.next_deadline());
    CHECK(w.due(t0 + 10s).empty());
    CHECK(w.expire(t0 + 1h).empty());
    CHECK_FALSE(w.probed("stream0", true, t0 + 1h));
    // A second appearance while known changes nothing.
    w.appeared("stream0", t0 + 2h);
    CHECK(w.state("stream0") == outputs_state::ready);
}

TEST_CASE("a stream that stays without outputs fails, and recovers when they come",
          "[unit][outputs]")
{
    auto w = make_watch();
    w.appeared("stream1", t0);
    w.appeared("stream2", t0 + 5s);
    CHECK(w.expire(t0 + 14999ms).empty());
    const auto changes = w.expire(t0 + 15000ms);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].first == "stream1");
    CHECK(changes[0].second == outputs_state::failed);
    CHECK(w.expire(t0 + 16000ms).empty());  // reported once
    CHECK(w.state("stream2") == outputs_state::starting);

    // Failed streams are still asked about, at the slower interval.
    auto due = w.due(t0 + 16000ms);
    REQUIRE(due == std::vector<std::string>{"stream1", "stream2"});
    CHECK_FALSE(w.probed("stream1", false, t0 + 16000ms));
    CHECK_FALSE(w.probed("stream2", false, t0 + 16000ms));
    CHECK(w.due(t0 + 16250ms) == std::vector<std::string>{"stream2"});
    CHECK(w.due(t0 + 17000ms) == std::vector<std::string>{"stream1"});
    CHECK(w.probed("stream1", true, t0 + 17000ms) == outputs_state::ready);
}

TEST_CASE("a stream that goes away is forgotten, coming back starts over", "[unit][outputs]")
{
    auto w = make_watch();
    w.appeared("stream3", t0);
    REQUIRE(w.due(t0).size() == 1);
    REQUIRE(w.probed("stream3", true, t0) == outputs_state::ready);
    w.gone("stream3");
    CHECK_FALSE(w.state("stream3"));
    CHECK_FALSE(w.probed("stream3", true, t0 + 1s));  // a late answer for it
    w.appeared("stream3", t0 + 2s);
    CHECK(w.state("stream3") == outputs_state::starting);
    CHECK(w.next_deadline() == t0 + 2s);
    w.clear();
    CHECK(w.size() == 0);
    CHECK_FALSE(w.next_deadline());
}
