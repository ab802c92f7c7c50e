#include <ovs/gateway/link_greeting.hpp>

#include <catch2/catch.hpp>

using namespace ovs::gateway;

TEST_CASE("a room linking before the gateway's first poll is told nothing about OME",
          "[unit][greeting]")
{
    // Just started: no media_status (it would say "unreachable") and no
    // streams (an empty list would take every live seat down).
    CHECK(plan_greeting(false, false) == link_greeting{false, false});
    // The first poll failed: OME is really unreachable, the streams unknown.
    CHECK(plan_greeting(true, false) == link_greeting{true, false});
    // A list came back: the whole view.
    CHECK(plan_greeting(true, true) == link_greeting{true, true});
}
