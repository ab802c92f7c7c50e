#include <ovs/gateway/poll_policy.hpp>

#include <catch2/catch.hpp>

using namespace ovs::gateway;
using namespace std::chrono_literals;

TEST_CASE("healthy polling uses the interval", "[unit][poll_policy]")
{
    poll_policy p(1000ms, 10000ms);
    CHECK_FALSE(p.status().reachable.has_value());
    CHECK(p.next_delay() == 1000ms);
    CHECK(p.on_success());        // unknown -> reachable
    CHECK_FALSE(p.on_success());  // no change
    CHECK(p.next_delay() == 1000ms);
    CHECK(p.status().reachable == true);
    CHECK(p.status().consecutive_failures == 0);
}

TEST_CASE("failures back off exponentially up to the cap", "[unit][poll_policy]")
{
    poll_policy p(1000ms, 10000ms);
    CHECK(p.on_failure("OME is unreachable: connection refused"));
    CHECK(p.next_delay() == 2000ms);
    CHECK_FALSE(p.on_failure("again"));
    CHECK(p.next_delay() == 4000ms);
    p.on_failure("again");
    CHECK(p.next_delay() == 8000ms);
    p.on_failure("again");
    CHECK(p.next_delay() == 10000ms);
    for (int i = 0; i < 100; ++i) p.on_failure("still down");
    CHECK(p.next_delay() == 10000ms);
    CHECK(p.status().consecutive_failures == 104);
    CHECK(p.status().reachable == false);
    CHECK(p.status().last_error == "still down");

    CHECK(p.on_success());  // recovered
    CHECK(p.next_delay() == 1000ms);
    CHECK(p.status().consecutive_failures == 0);
    CHECK(p.status().last_error == "still down");  // kept for /healthz
}

TEST_CASE("a cap below the interval is raised to it", "[unit][poll_policy]")
{
    poll_policy p(3000ms, 1000ms);
    p.on_failure("x");
    CHECK(p.next_delay() == 3000ms);
}
