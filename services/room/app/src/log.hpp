#pragma once
// A tiny logger to stderr: "2026-11-24T19:40:01.123Z INFO room: message".
// One thread writes, so no lock. Callers never pass tokens or secrets.

#include <string_view>

namespace ovs::room::log {

enum class level { debug, info, warn, error };

void set_min_level(level l);
void write(level l, std::string_view message);

inline void info(std::string_view m)
{
    write(level::info, m);
}
inline void warn(std::string_view m)
{
    write(level::warn, m);
}
inline void error(std::string_view m)
{
    write(level::error, m);
}
inline void debug(std::string_view m)
{
    write(level::debug, m);
}

}  // namespace ovs::room::log
