#include "line_format.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>

namespace ovs::log::detail {

namespace {

std::string_view upper_name(level l)
{
    switch (l) {
        case level::debug:
            return "DEBUG";
        case level::info:
            return "INFO ";
        case level::warn:
            return "WARN ";
        case level::error:
            return "ERROR";
    }
    return "?    ";
}

void append_hex_escape(std::string& out, unsigned char c)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", c);
    out += buf;
}

// Text lines: a newline, tab or other control byte becomes an escape, so a
// message (a peer's reason string, say) cannot forge a second log line.
void append_text_escaped(std::string& out, std::string_view s)
{
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            append_hex_escape(out, c);
        } else {
            out.push_back(ch);
        }
    }
}

}  // namespace

std::string utc_stamp(std::chrono::system_clock::time_point t)
{
    auto secs = std::chrono::system_clock::to_time_t(t);
    auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
    if (ms < 0) ms += 1000;
    std::tm utc{};
    gmtime_r(&secs, &utc);
    char stamp[40];
    auto n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ", static_cast<int>(ms));
    return stamp;
}

std::string text_line(std::chrono::system_clock::time_point t,
                      level l,
                      std::string_view service,
                      std::string_view message)
{
    std::string out = utc_stamp(t);
    out.reserve(out.size() + service.size() + message.size() + 10);
    out += ' ';
    out += upper_name(l);
    out += ' ';
    out += service;
    out += ": ";
    append_text_escaped(out, message);
    return out;
}

std::string json_line(std::chrono::system_clock::time_point t,
                      level l,
                      std::string_view service,
                      std::string_view message)
{
    // Invalid UTF-8 (a peer's bytes in a reason) becomes U+FFFD rather than
    // costing the line.
    nlohmann::ordered_json line{{"time", utc_stamp(t)},
                                {"level", level_name(l)},
                                {"service", service},
                                {"message", message}};
    return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace ovs::log::detail
