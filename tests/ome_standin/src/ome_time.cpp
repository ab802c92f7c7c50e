#include "ome_time.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace ovs::ome_standin {

std::string ome_iso8601(wall_clock::time_point t)
{
    auto const since_epoch = t.time_since_epoch();
    auto const seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
    auto const millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
    std::time_t const tt = static_cast<std::time_t>(seconds.count());
    std::tm local{};
    localtime_r(&tt, &local);
    long const offset_minutes = local.tm_gmtoff / 60;
    long const abs_offset = std::labs(offset_minutes);
    char buffer[64];
    std::snprintf(buffer,
                  sizeof buffer,
                  "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02ld:%02ld",
                  local.tm_year + 1900,
                  local.tm_mon + 1,
                  local.tm_mday,
                  local.tm_hour,
                  local.tm_min,
                  local.tm_sec,
                  static_cast<int>(millis),
                  offset_minutes < 0 ? '-' : '+',
                  abs_offset / 60,
                  abs_offset % 60);
    return buffer;
}

std::string http_date(wall_clock::time_point t)
{
    static constexpr char const* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr char const* months[] = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::time_t const tt = wall_clock::to_time_t(t);
    std::tm utc{};
    gmtime_r(&tt, &utc);
    char buffer[64];
    std::snprintf(buffer,
                  sizeof buffer,
                  "%s, %02d %s %04d %02d:%02d:%02d GMT",
                  days[utc.tm_wday % 7],
                  utc.tm_mday,
                  months[utc.tm_mon % 12],
                  utc.tm_year + 1900,
                  utc.tm_hour,
                  utc.tm_min,
                  utc.tm_sec);
    return buffer;
}

}  // namespace ovs::ome_standin
