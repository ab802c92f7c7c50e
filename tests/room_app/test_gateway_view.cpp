// The room's copy of what the gateway links said about OME's streams: applied
// again when a shared store lost its rooms (Redis restarted empty).

#include "gateway_view.hpp"

#include <catch2/catch.hpp>

using namespace ovs::room;

namespace {

stream_info from(const std::string& source)
{
    stream_info i;
    i.source = source;
    return i;
}

}  // namespace

TEST_CASE("gateway view: unknown until a whole list, then follows each change", "[unit]")
{
    gateway_view view;
    // News before any whole list says nothing about the other streams.
    view.up("stream0", from("RTMP"));
    CHECK_FALSE(view.streams());

    view.whole({{"stream0", from("RTMP")}, {"stream1", from("SRT")}});
    view.up("stream2", from("WebRTC"));
    view.up("stream0", from("WHIP"));
    view.down("stream1");
    REQUIRE(view.streams());
    CHECK(*view.streams() ==
          gateway_view::streams_map{{"stream0", from("WHIP")}, {"stream2", from("WebRTC")}});

    view.whole({});
    CHECK(view.streams()->empty());
}
