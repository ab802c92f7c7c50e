#pragma once
// Time strings as OME prints them.

#include <chrono>
#include <string>

namespace ovs::ome_standin {

using wall_clock = std::chrono::system_clock;

// ISO-8601 local time with milliseconds and a numeric offset, never "Z":
// "2026-11-24T17:44:46.289+00:00" (webhook `time`, REST createdTime).
std::string ome_iso8601(wall_clock::time_point t);

// RFC 7231 date for the HTTP Date header: "Tue, 24 Nov 2026 17:25:29 GMT".
std::string http_date(wall_clock::time_point t);

}  // namespace ovs::ome_standin
