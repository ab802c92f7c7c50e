#pragma once
// OME's timestamps: ISO-8601 local time with a numeric offset and
// milliseconds ("2026-11-24T17:44:46.289+00:00", "...+09:00"). OME never
// sends "Z", but very old builds sent "+0000"; both are accepted here, as is a
// missing fraction.

#include <chrono>
#include <optional>
#include <string_view>

namespace ovs::gateway {

using utc_millis = std::chrono::sys_time<std::chrono::milliseconds>;

// The instant (UTC) a timestamp names; nullopt when it is not one.
std::optional<utc_millis> parse_ome_time(std::string_view text);

}  // namespace ovs::gateway
