#include <ovs/gateway/orphan_streams.hpp>

#include <catch2/catch.hpp>

using namespace ovs::gateway;

TEST_CASE("after a restart, seat streams in OME that no seat holds are the ones to end",
          "[unit][kicks]")
{
    const std::set<std::string> seats{"stream0", "stream1", "stream2", "stream3"};
    // stream0 held; stream1 nobody's; stream2 admitted after the room
    // answered; studio-feed is not a seat's; stream3 not in OME.
    CHECK(orphan_streams({"stream2", "stream1", "studio-feed", "stream0", "stream1"},
                         seats,
                         {"stream0", "stream3"},
                         {"stream2"}) == std::vector<std::string>{"stream1"});
    // A room holding everything, or an OME without streams: nothing to end.
    CHECK(orphan_streams({"stream0", "stream1"}, seats, {"stream1", "stream0"}, {}).empty());
    CHECK(orphan_streams({}, seats, {}, {}).empty());
}
