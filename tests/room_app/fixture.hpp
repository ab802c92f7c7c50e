#pragma once
// One room server on 127.0.0.1:0 with its own io_context, for a test case.

#include "helpers.hpp"

#include <filesystem>

namespace ovs::room::testing {

struct fixture {
    explicit fixture(config::config c = test_config()) : cfg(std::move(c)), server(io, cfg)
    {
        server.start();
        port = server.local_endpoint().port();
        metrics_port = server.metrics_endpoint().port();
    }
    void run(asio::awaitable<void> test) { run_bounded(io, server, std::move(test)); }

    asio::io_context io;
    config::config cfg;
    room_server server;
    std::uint16_t port = 0;
    std::uint16_t metrics_port = 0;  // room.metrics
};

}  // namespace ovs::room::testing
