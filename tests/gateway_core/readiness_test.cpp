#include <ovs/gateway/readiness.hpp>

#include <catch2/catch.hpp>

using namespace ovs::gateway;

namespace {

bool mentions(const std::vector<std::string>& lines, const std::string& part)
{
    for (const auto& l : lines) {
        if (l.find(part) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("not ready before the first poll of OME ends", "[unit][readiness]")
{
    auto r = readiness_of(ome_status{}, true);
    CHECK(mentions(r.not_ready_because, "OME not polled yet"));
}

TEST_CASE("ready with OME reachable and the room linked, nothing degraded", "[unit][readiness]")
{
    ome_status ome;
    ome.reachable = true;
    auto r = readiness_of(ome, true);
    CHECK(r.not_ready_because.empty());
    CHECK(r.degraded.empty());
}

TEST_CASE("ready without either peer: OME backing off, no room link (no readiness cycle)",
          "[unit][readiness]")
{
    poll_policy policy(std::chrono::milliseconds(1000), std::chrono::milliseconds(10000));
    policy.on_failure("connection refused");
    policy.on_failure("connection refused");
    auto r = readiness_of(policy.status(), false);
    CHECK(r.not_ready_because.empty());
    REQUIRE(r.degraded.size() == 2);
    CHECK(
        mentions(r.degraded, "OME unreachable, backing off (failed polls: 2): connection refused"));
    CHECK(mentions(r.degraded, "no room service link: every publisher is refused"));
}

TEST_CASE("ready again and no longer degraded once OME answers", "[unit][readiness]")
{
    poll_policy policy(std::chrono::milliseconds(1000), std::chrono::milliseconds(10000));
    policy.on_failure("timed out");
    policy.on_success();
    auto r = readiness_of(policy.status(), true);
    CHECK(r.not_ready_because.empty());
    CHECK(r.degraded.empty());
}
