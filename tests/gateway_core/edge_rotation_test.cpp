#include <ovs/gateway/edge_rotation.hpp>

#include <catch2/catch.hpp>

using namespace ovs::gateway;
using names = std::vector<std::string>;

TEST_CASE("an edge enters rotation when it first answers", "[unit][edges]")
{
    edge_rotation r({"edge-1", "edge-2"});
    CHECK(r.in_rotation().empty());  // nothing is known before the first probe
    CHECK(r.record("edge-2", true));
    CHECK_FALSE(r.record("edge-2", true));  // no change
    CHECK(r.in_rotation() == names{"edge-2"});
    CHECK(r.record("edge-1", true));
    CHECK(r.in_rotation() == names{"edge-1", "edge-2"});  // configuration order
}

TEST_CASE("an edge leaves after two unanswered probes in a row and comes back", "[unit][edges]")
{
    edge_rotation r({"edge-1", "edge-2"});
    r.record("edge-1", true);
    r.record("edge-2", true);
    CHECK_FALSE(r.record("edge-1", false));  // one lost probe moves nobody
    CHECK(r.in("edge-1"));
    CHECK_FALSE(r.record("edge-1", true));  // an answer resets the count
    CHECK_FALSE(r.record("edge-1", false));
    CHECK(r.record("edge-1", false));
    CHECK_FALSE(r.in("edge-1"));
    CHECK(r.in_rotation() == names{"edge-2"});
    CHECK_FALSE(r.record("edge-1", false));  // out already
    CHECK(r.record("edge-1", true));
    CHECK(r.in_rotation() == names{"edge-1", "edge-2"});
}

TEST_CASE("an edge that never answered stays out, unknown names are ignored", "[unit][edges]")
{
    edge_rotation r({"edge-1"}, 1);
    CHECK_FALSE(r.record("edge-1", false));
    CHECK_FALSE(r.record("nosuch", true));
    CHECK(r.in_rotation().empty());
    r.record("edge-1", true);
    CHECK(r.record("edge-1", false));  // one failure is enough with 1
}
