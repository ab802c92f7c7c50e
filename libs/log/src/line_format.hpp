#pragma once
// The two line formats, as pure functions of (time, level, service, text), so
// they are tested without a logger.

#include <ovs/log/log.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace ovs::log::detail {

// 2026-11-24T19:40:01.123Z (UTC, milliseconds).
std::string utc_stamp(std::chrono::system_clock::time_point t);

// No trailing newline. Control characters in `message` are escaped in both
// formats, so one event is always one line.
std::string text_line(std::chrono::system_clock::time_point t,
                      level l,
                      std::string_view service,
                      std::string_view message);
std::string json_line(std::chrono::system_clock::time_point t,
                      level l,
                      std::string_view service,
                      std::string_view message);

}  // namespace ovs::log::detail
