#pragma once
// What a coroutine's escaped exception says, and a co_spawn completion that
// hands it to a log line. The libraries' coroutines (Redis client, link
// connection, HTTP sessions) treat expected failures as values, so an
// exception reaching their completion is a bug: it is logged with what was
// running, never rethrown (one connection must not end the process).

#include <exception>
#include <string>

namespace ovs::util {

// `e`'s what(), "unknown exception" when it is not a std::exception, empty
// when `e` is null.
std::string exception_text(std::exception_ptr e);

// co_spawn(ex, work, log_exception_to<L>{log, "redis: "}): `log` is any
// callable taking the line (std::string_view or std::string).
template <class Log>
struct log_exception_to {
    Log log;
    std::string prefix;
    void operator()(std::exception_ptr e) const
    {
        if (e && log) log(prefix + exception_text(e));
    }
};

}  // namespace ovs::util
