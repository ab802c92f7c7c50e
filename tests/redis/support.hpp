#pragma once
// Helpers of the Redis loopback tests: options for a test server, and
// bounded ways to drive the io_context from the test thread.

#include "redis_server.hpp"

#include <ovs/redis/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace ovs::test {

inline redis::options options_for(const redis_server& server)
{
    redis::options o;
    o.server.host = "127.0.0.1";
    o.server.port = server.port();
    o.connect_timeout = std::chrono::milliseconds(1000);
    o.request_timeout = std::chrono::milliseconds(500);
    o.reconnect_min = std::chrono::milliseconds(20);
    o.reconnect_max = std::chrono::milliseconds(200);
    o.ping_interval = std::chrono::milliseconds(200);
    o.client_name = "ovs-test";
    o.rng_seed = 7;
    return o;
}

// Runs the io_context until `done` holds or `timeout` passes; the last answer.
inline bool run_until(boost::asio::io_context& io,
                      const std::function<bool()>& done,
                      std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        io.restart();
        io.run_one_for(std::chrono::milliseconds(10));
    }
    return true;
}

// Runs one test coroutine to its end (bounded); rethrows what it threw.
inline void run_coroutine(boost::asio::io_context& io,
                          boost::asio::awaitable<void> body,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(10000))
{
    bool done = false;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, std::move(body), [&](std::exception_ptr e) {
        done = true;
        failure = e;
    });
    const bool finished = run_until(
        io, [&] { return done; }, timeout);
    if (failure) std::rethrow_exception(failure);
    REQUIRE(finished);
}

// Collects log lines (to check what is, and is not, logged).
struct log_capture {
    std::vector<std::string> lines;
    redis::logger logger()
    {
        return [this](std::string_view line) { lines.emplace_back(line); };
    }
    bool contains(const std::string& needle) const
    {
        for (const auto& l : lines) {
            if (l.find(needle) != std::string::npos) return true;
        }
        return false;
    }
};

}  // namespace ovs::test
