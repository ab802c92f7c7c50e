#include "log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace ovs::room::log {

namespace {
level min_level = level::info;

const char* name(level l)
{
    switch (l) {
        case level::debug:
            return "DEBUG";
        case level::info:
            return "INFO";
        case level::warn:
            return "WARN";
        case level::error:
            return "ERROR";
    }
    return "?";
}
}  // namespace

void set_min_level(level l)
{
    min_level = l;
}

void write(level l, std::string_view message)
{
    if (l < min_level) return;
    auto now = std::chrono::system_clock::now();
    auto secs = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::tm utc{};
    gmtime_r(&secs, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    std::fprintf(stderr,
                 "%s.%03dZ %s room: %.*s\n",
                 stamp,
                 static_cast<int>(ms.count()),
                 name(l),
                 static_cast<int>(message.size()),
                 message.data());
}

}  // namespace ovs::room::log
