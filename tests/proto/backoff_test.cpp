#include <ovs/proto/backoff.hpp>

#include <catch2/catch.hpp>

#include <random>
#include <stdexcept>

using ovs::proto::backoff_policy;
using ms = std::chrono::milliseconds;

TEST_CASE("backoff ceiling doubles from min and stops at max", "[unit][proto]")
{
    backoff_policy b(ms(200), ms(5000));
    CHECK(b.ceiling(0) == ms(200));
    CHECK(b.ceiling(1) == ms(400));
    CHECK(b.ceiling(2) == ms(800));
    CHECK(b.ceiling(4) == ms(3200));
    CHECK(b.ceiling(5) == ms(5000));
    CHECK(b.ceiling(1000) == ms(5000));
}

TEST_CASE("backoff delays stay within [min, ceiling] and use the whole range", "[unit][proto]")
{
    backoff_policy b(ms(100), ms(3000));
    std::mt19937_64 rng(12345);
    for (unsigned attempt = 0; attempt < 12; ++attempt) {
        ms lowest = ms::max();
        ms highest = ms::zero();
        backoff_policy::millis ceiling = b.ceiling(attempt);
        for (int i = 0; i < 400; ++i) {
            std::uniform_int_distribution<std::uint64_t> dist;
            ms d = b.delay(attempt, dist(rng));
            REQUIRE(d >= ms(100));
            REQUIRE(d <= ceiling);
            lowest = std::min(lowest, d);
            highest = std::max(highest, d);
        }
        // Full jitter: draws spread across the range, not bunched at the top.
        if (ceiling > ms(100)) {
            CHECK(lowest < ms(100) + (ceiling - ms(100)) / 4);
            CHECK(highest > ms(100) + (ceiling - ms(100)) * 3 / 4);
        }
    }
    CHECK(b.delay(3, 0) == ms(100));
    CHECK(b.delay(3, 700) == ms(800));  // 700 % 701 on top of the minimum
}

TEST_CASE("backoff next() advances, is reproducible and resets", "[unit][proto]")
{
    backoff_policy a(ms(50), ms(1000));
    backoff_policy b(ms(50), ms(1000));
    std::mt19937_64 rng_a(7);
    std::mt19937_64 rng_b(7);
    for (int i = 0; i < 20; ++i) {
        unsigned attempt = a.attempt();
        ms d = a.next(rng_a);
        CHECK(d == b.next(rng_b));
        CHECK(d <= a.ceiling(attempt));
        CHECK(d >= ms(50));
    }
    CHECK(a.attempt() == 20);
    a.reset();
    CHECK(a.attempt() == 0);
    CHECK(a.next(rng_a) <= ms(50));
}

TEST_CASE("backoff rejects nonsense bounds", "[unit][proto]")
{
    CHECK_THROWS_AS(backoff_policy(ms(0), ms(10)), std::invalid_argument);
    CHECK_THROWS_AS(backoff_policy(ms(100), ms(10)), std::invalid_argument);
}
