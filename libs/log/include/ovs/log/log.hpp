#pragma once
// One logger for every OvenSpace process, one line per event on stderr:
//
//   text: 2026-11-24T19:40:01.123Z INFO  room: listening on 0.0.0.0:5000
//   json: {"time":"2026-11-24T19:40:01.123Z","level":"info","service":"room","message":"..."}
//
// JSON lines are for log collectors (one object per line, nothing else on
// stderr). Thread-safe. Messages never carry secrets or publish tokens: the
// callers make sure of that (see the gateway's redact_url).

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ovs::log {

enum class level { debug, info, warn, error };
enum class format { text, json };

// "debug", "info", "warn" (or "warning"), "error"; nullopt otherwise.
std::optional<level> parse_level(std::string_view name);
std::string_view level_name(level l);  // "debug", "info", "warn", "error"

// Names the process in every line and picks the level and format. Call once
// at start; before it, lines go out as service "ovenspace", level info, text.
void setup(std::string_view service, level min_level, format fmt);
void set_level(level min_level);
bool enabled(level l);

void write(level l, std::string_view message);

inline void debug(std::string_view m)
{
    write(level::debug, m);
}
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

// Tests: every line (already filtered by level) also goes to `tap`, and with
// `quiet` not to stderr. An empty function removes the tap.
using line_tap = std::function<void(level, std::string_view message)>;
void set_tap(line_tap tap, bool quiet = false);

}  // namespace ovs::log
