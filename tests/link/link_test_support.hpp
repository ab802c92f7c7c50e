#pragma once
// Shared bits of the link tests: fast timeouts, a capturing logger, and a
// completion handler that rethrows so failures surface through run_for().

#include <ovs/link/link_client.hpp>
#include <ovs/link/link_server.hpp>

#include <boost/asio/io_context.hpp>

#include <exception>
#include <memory>
#include <string>
#include <vector>

namespace ovs::link::test {

inline link_options fast_options(std::string role, std::shared_ptr<std::vector<std::string>> logs)
{
    link_options o;
    o.limits.max_line_bytes = 1024;
    o.limits.request_timeout = millis(300);
    o.limits.heartbeat_interval = millis(50);
    o.limits.heartbeat_timeout = millis(400);
    o.limits.reconnect_min = millis(10);
    o.limits.reconnect_max = millis(40);
    o.role = std::move(role);
    o.rng_seed = 42;
    o.log = [logs](std::string_view line) { logs->emplace_back(line); };
    return o;
}

inline void rethrow(std::exception_ptr e)
{
    if (e) std::rethrow_exception(e);
}

inline bool logged(const std::vector<std::string>& logs, const std::string& needle)
{
    for (const auto& l : logs)
        if (l.find(needle) != std::string::npos) return true;
    return false;
}

inline config::endpoint loopback(unsigned short port)
{
    return config::endpoint{"127.0.0.1", port};
}

}  // namespace ovs::link::test
