#include <ovs/gateway/ome_time.hpp>

#include <catch2/catch.hpp>

using namespace ovs::gateway;
using namespace std::chrono;

TEST_CASE("OME timestamps parse to UTC", "[unit][ome_time]")
{
    const auto base = sys_days{2026y / November / 24} + 17h + 44min + 46s + 289ms;
    CHECK(parse_ome_time("2026-11-24T17:44:46.289+00:00") == utc_millis{base});
    // Case t: OME run with TZ=Asia/Seoul.
    CHECK(parse_ome_time("2026-11-25T02:48:55.953+09:00") ==
          utc_millis{sys_days{2026y / November / 24} + 17h + 48min + 55s + 953ms});
    CHECK(parse_ome_time("2026-11-24T17:44:46.289Z") == utc_millis{base});
    CHECK(parse_ome_time("2026-11-24T17:44:46.289+0000") == utc_millis{base});
    CHECK(parse_ome_time("2026-11-24T12:44:46.289-05:00") == utc_millis{base});
    CHECK(parse_ome_time("2026-11-24T17:44:46+00:00") == utc_millis{base - 289ms});
    CHECK(parse_ome_time("2026-11-24T17:44:46.2+00:00") == utc_millis{base - 89ms});
}

TEST_CASE("non-timestamps are refused", "[unit][ome_time]")
{
    CHECK_FALSE(parse_ome_time(""));
    CHECK_FALSE(parse_ome_time("2026-11-24T17:44:46.289"));  // no offset
    CHECK_FALSE(parse_ome_time("2026-02-30T00:00:00+00:00"));
    CHECK_FALSE(parse_ome_time("2026-11-24 17:44:46+00:00"));
    CHECK_FALSE(parse_ome_time("2026-11-24T17:44:46.+00:00"));
    CHECK_FALSE(parse_ome_time("2026-11-24T17:44:46+00:00trailing"));
}
