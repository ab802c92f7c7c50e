// ovenspace-room: loads the config, serves HTTP + WebSocket until SIGTERM or
// SIGINT, then closes every WebSocket with 1001 and exits 0 (forced after
// room.shutdown_timeout_ms). --check-config validates the file and exits.

#include <ovs/config/config.hpp>
#include <ovs/log/log.hpp>
#include <ovs/net/net.hpp>
#include <ovs/room/gateway_link.hpp>
#include <ovs/room/room_server.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

namespace {

constexpr const char* usage = R"(Usage: ovenspace-room --config FILE [--check-config]
       ovenspace-room --check-config FILE

  --config FILE     the OvenSpace YAML config (sections room:, rooms:, ...)
  --check-config    validate FILE and exit: 0 when valid, 2 with the error
                    (file, key and line) otherwise
  --help            this text
)";

}  // namespace

int main(int argc, char** argv)
{
    using namespace ovs;
    std::string path;
    bool check_only = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage, stdout);
            return 0;
        } else if (arg == "--check-config") {
            check_only = true;
            // Also accepted: --check-config FILE.
            if (i + 1 < argc && argv[i + 1][0] != '-') path = argv[++i];
        } else if (arg == "--config" && i + 1 < argc) {
            path = argv[++i];
        } else if (arg.rfind("--config=", 0) == 0) {
            path = arg.substr(std::strlen("--config="));
        } else {
            std::fprintf(stderr, "ovenspace-room: unknown argument '%s'\n%s", arg.c_str(), usage);
            return 2;
        }
    }
    if (path.empty()) {
        std::fprintf(stderr, "ovenspace-room: --config FILE is required\n%s", usage);
        return 2;
    }

    config::config cfg;
    try {
        cfg = config::load_file(path, config::secrets_for::room);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ovenspace-room: %s\n", e.what());
        return 2;
    }
    if (check_only) {
        std::printf("%s: OK\n", path.c_str());
        return 0;
    }

    asio::io_context io(1);
    room::room_server server(io, cfg);
    try {
        server.start();
    } catch (const std::exception& e) {
        log::error("cannot listen on " + cfg.room.listen.address + ":" +
                   std::to_string(cfg.room.listen.port) + ": " + e.what());
        return 1;
    }
    auto ep = server.local_endpoint();
    log::info("listening on " + ep.address().to_string() + ":" + std::to_string(ep.port()) + ", " +
              std::to_string(cfg.rooms.size()) + " room(s), web root " + cfg.room.web_root);

    // The link to the gateway (reconnects until stopped); /readyz is 200
    // only while it is up.
    room::gateway_link gateway(io.get_executor(), server, cfg, [](std::string_view line) {
        log::info(std::string("gateway: ").append(line));
    });
    gateway.start();

    // Leaf adapters (plain callbacks): the first signal starts a graceful
    // stop with a backstop timer; a second one stops at once.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    asio::steady_timer backstop(io);
    bool stopping = false;
    std::function<void(const error_code&, int)> on_signal = [&](const error_code& ec, int sig) {
        if (ec) return;
        if (stopping) {
            log::warn("second signal: stopping now");
            io.stop();
            return;
        }
        stopping = true;
        log::info(std::string("signal ") + std::to_string(sig) + ": shutting down");
        gateway.stop();
        server.stop([&] {
            backstop.cancel();
            signals.cancel();
        });
        backstop.expires_after(cfg.room.shutdown_timeout);
        backstop.async_wait([&](const error_code& tec) {
            if (tec) return;
            log::warn("shutdown timeout: closing the remaining connections");
            io.stop();
        });
        signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);
    io.run();
    log::info("stopped");
    return 0;
}
