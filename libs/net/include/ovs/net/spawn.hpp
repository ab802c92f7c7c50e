#pragma once
// co_spawn with a completion handler that logs a coroutine's exception with
// what it was doing ("http session 10.0.0.7:51234: ..."), instead of
// asio::detached, which drops it silently. Never rethrows: one failed
// connection must not take a service down.

#include <ovs/net/net.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>

#include <exception>
#include <string>

namespace ovs::net {

// Logs `e` (when set) as an error, prefixed with `what`. Counts it.
void log_failure(std::exception_ptr e, const std::string& what);

// How many spawned coroutines ended with an exception, process-wide (tests
// assert it stays 0; /metrics may show it).
std::uint64_t spawn_failures();

struct failure_logger {
    std::string what;
    void operator()(std::exception_ptr e) const { log_failure(e, what); }
};

template <class Executor>
void spawn(const Executor& ex, asio::awaitable<void> work, std::string what)
{
    asio::co_spawn(ex, std::move(work), failure_logger{std::move(what)});
}

}  // namespace ovs::net
