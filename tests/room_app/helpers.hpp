#pragma once
// Test helpers for the room service over loopback: a test config and a
// bounded runner; the clients come from tests/support (ovs::testing).

#include <ovs/config/config.hpp>
#include <ovs/net/net.hpp>
#include <ovs/room/room_server.hpp>
#include <ovs/testing/clients.hpp>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <chrono>

namespace ovs::room::testing {

using json = nlohmann::json;

// A config for tests: 127.0.0.1:0, rooms "main" (4 seats) and "side" (2),
// short presence interval, generous limits unless a test changes them.
config::config test_config();

using ovs::testing::http_connection;
using ovs::testing::http_request;
using ovs::testing::http_result;
using ovs::testing::latch;
using ovs::testing::make_temp_dir;
using ovs::testing::metric_value;
using ovs::testing::raw_exchange;
using ovs::testing::write_file;
using ovs::testing::ws_client;

// Runs `test` to completion on `io` (bounded by `limit`), then stops the
// server and lets the io_context run out of work. Rethrows the test's
// exception; FAILs if the test or the shutdown did not finish in time.
void run_bounded(asio::io_context& io,
                 room_server& server,
                 asio::awaitable<void> test,
                 std::chrono::seconds limit = std::chrono::seconds(30));

}  // namespace ovs::room::testing
