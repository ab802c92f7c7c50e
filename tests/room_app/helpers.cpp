#include "helpers.hpp"

namespace ovs::room::testing {

config::config test_config()
{
    config::config cfg;
    cfg.source = "test";
    cfg.mode = config::admission_mode::webhook;
    cfg.room.listen = {"127.0.0.1", 0};
    cfg.room.metrics = {"127.0.0.1", 0};
    cfg.room.web_root = "/nonexistent-web-root";
    cfg.room.presence_interval = std::chrono::milliseconds(20);
    cfg.room.limits.commands_per_second = 1000;
    cfg.room.limits.handshake_timeout = std::chrono::milliseconds(5000);
    // Long: a test client reads only when it waits for something, so it
    // answers no ping meanwhile, and a slow (sanitized, loaded) run must not
    // see its viewers closed as idle.
    cfg.room.limits.idle_timeout = std::chrono::milliseconds(120000);
    cfg.room.shutdown_timeout = std::chrono::milliseconds(3000);
    cfg.rooms = {config::room_def{"main", "Main room", 4, "stream"},
                 config::room_def{"side", "Side room", 2, "side"}};
    return cfg;
}

void run_bounded(asio::io_context& io,
                 room_server& server,
                 asio::awaitable<void> test,
                 std::chrono::seconds limit)
{
    ovs::testing::run_bounded(
        io, [&server] { server.stop(); }, std::move(test), limit);
}

}  // namespace ovs::room::testing
