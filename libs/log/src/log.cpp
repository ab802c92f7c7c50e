// The logger: one spdlog logger with a stderr sink, our own line formatter
// (line_format.cpp) and an optional tap for tests.

#include "line_format.hpp"

#include <ovs/log/log.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <spdlog/formatter.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace ovs::log {

namespace {

spdlog::level::level_enum to_spdlog(level l)
{
    switch (l) {
        case level::debug:
            return spdlog::level::debug;
        case level::info:
            return spdlog::level::info;
        case level::warn:
            return spdlog::level::warn;
        case level::error:
            return spdlog::level::err;
    }
    return spdlog::level::info;
}

level from_spdlog(spdlog::level::level_enum l)
{
    switch (l) {
        case spdlog::level::trace:
        case spdlog::level::debug:
            return level::debug;
        case spdlog::level::info:
            return level::info;
        case spdlog::level::warn:
            return level::warn;
        default:
            return level::error;
    }
}

// Formats a line with the process's service name in one of our two formats.
class line_formatter final : public spdlog::formatter {
public:
    line_formatter(std::string service, log::format fmt) : service_(std::move(service)), fmt_(fmt)
    {
    }

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override
    {
        std::string_view text(msg.payload.data(), msg.payload.size());
        auto l = from_spdlog(msg.level);
        auto line = fmt_ == log::format::json ? detail::json_line(msg.time, l, service_, text)
                                              : detail::text_line(msg.time, l, service_, text);
        line.push_back('\n');
        dest.append(line.data(), line.data() + line.size());
    }

    std::unique_ptr<spdlog::formatter> clone() const override
    {
        return std::make_unique<line_formatter>(service_, fmt_);
    }

private:
    std::string service_;
    log::format fmt_;
};

struct state {
    std::mutex mutex;  // guards tap and quiet
    line_tap tap;
    bool quiet = false;
    std::shared_ptr<spdlog::sinks::stderr_sink_mt> sink =
        std::make_shared<spdlog::sinks::stderr_sink_mt>();
    spdlog::logger logger{"ovenspace", sink};

    state()
    {
        logger.set_formatter(std::make_unique<line_formatter>("ovenspace", format::text));
        logger.set_level(spdlog::level::info);
        // Every line reaches stderr at once: a crash must not eat the last ones.
        logger.flush_on(spdlog::level::debug);
    }
};

state& the_state()
{
    static state s;
    return s;
}

}  // namespace

std::optional<level> parse_level(std::string_view name)
{
    if (name == "debug") return level::debug;
    if (name == "info") return level::info;
    if (name == "warn" || name == "warning") return level::warn;
    if (name == "error") return level::error;
    return std::nullopt;
}

std::string_view level_name(level l)
{
    switch (l) {
        case level::debug:
            return "debug";
        case level::info:
            return "info";
        case level::warn:
            return "warn";
        case level::error:
            return "error";
    }
    return "info";
}

void setup(std::string_view service, level min_level, format fmt)
{
    auto& s = the_state();
    s.logger.set_formatter(std::make_unique<line_formatter>(std::string(service), fmt));
    s.logger.set_level(to_spdlog(min_level));
}

void set_level(level min_level)
{
    the_state().logger.set_level(to_spdlog(min_level));
}

bool enabled(level l)
{
    return the_state().logger.should_log(to_spdlog(l));
}

void write(level l, std::string_view message)
{
    auto& s = the_state();
    if (!s.logger.should_log(to_spdlog(l))) return;
    {
        std::lock_guard lock(s.mutex);
        if (s.tap) s.tap(l, message);
        if (s.quiet) return;
    }
    s.logger.log(to_spdlog(l), spdlog::string_view_t(message.data(), message.size()));
}

void set_tap(line_tap tap, bool quiet)
{
    auto& s = the_state();
    std::lock_guard lock(s.mutex);
    s.quiet = tap && quiet;
    s.tap = std::move(tap);
}

}  // namespace ovs::log
