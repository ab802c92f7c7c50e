#include "line_format.hpp"

#include <ovs/log/log.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <vector>

using namespace ovs::log;

namespace {
// 2026-11-24T19:40:01.123Z
const auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795549201123));
}  // namespace

TEST_CASE("log: the text line has a UTC stamp, the level, the service", "[unit]")
{
    CHECK(detail::text_line(when, level::info, "room", "listening on 0.0.0.0:5000") ==
          "2026-11-24T19:40:01.123Z INFO  room: listening on 0.0.0.0:5000");
    CHECK(detail::text_line(when, level::error, "gateway", "x") ==
          "2026-11-24T19:40:01.123Z ERROR gateway: x");
}

TEST_CASE("log: a message cannot forge a second line", "[unit]")
{
    auto line = detail::text_line(when, level::warn, "room", "bad\nINFO room: forged\r\t\x01");
    CHECK(line == "2026-11-24T19:40:01.123Z WARN  room: bad\\nINFO room: forged\\r\\t\\u0001");
    auto json_text = detail::json_line(when, level::warn, "room", "bad\nline");
    CHECK(json_text.find('\n') == std::string::npos);
}

TEST_CASE("log: JSON lines are one object with time, level, service, message", "[unit]")
{
    auto text = detail::json_line(when, level::debug, "gateway", "he said \"hi\" \xff");
    auto j = nlohmann::json::parse(text);
    CHECK(j["time"] == "2026-11-24T19:40:01.123Z");
    CHECK(j["level"] == "debug");
    CHECK(j["service"] == "gateway");
    // Invalid UTF-8 becomes U+FFFD instead of losing the line.
    CHECK(j["message"] == "he said \"hi\" \xef\xbf\xbd");
    CHECK(text.rfind("{\"time\":", 0) == 0);
}

TEST_CASE("log: levels parse, and lines under the level are not written", "[unit]")
{
    CHECK(parse_level("debug") == level::debug);
    CHECK(parse_level("warning") == level::warn);
    CHECK(parse_level("error") == level::error);
    CHECK(!parse_level("loud"));
    std::vector<std::string> seen;
    set_tap([&](level, std::string_view m) { seen.emplace_back(m); }, true);
    set_level(level::warn);
    info("hidden");
    warn("shown");
    CHECK(!enabled(level::info));
    set_level(level::info);
    set_tap({});
    REQUIRE(seen.size() == 1);
    CHECK(seen[0] == "shown");
}
