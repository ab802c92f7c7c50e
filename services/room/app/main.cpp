// ovenspace-room: rooms, seats and viewers (HTTP + WebSocket). The command
// line is every service's (ovs/app/command_line.hpp). It serves until
// SIGTERM or SIGINT, then closes every WebSocket with 1001 and exits 0
// (forced after room.shutdown_timeout_ms).

#include <ovs/app/command_line.hpp>
#include <ovs/app/service_main.hpp>
#include <ovs/log/log.hpp>
#include <ovs/room/gateway_link.hpp>
#include <ovs/room/room_server.hpp>

#include <boost/asio/io_context.hpp>

namespace {

int run(const ovs::config::config& cfg)
{
    using namespace ovs;
    asio::io_context io(1);
    room::room_server server(io, cfg);
    server.start();
    auto ep = server.local_endpoint();
    log::info("listening on " + ep.address().to_string() + ":" + std::to_string(ep.port()) + ", " +
              std::to_string(cfg.rooms.size()) + " room(s), web root " + cfg.room.web_root);
    auto mep = server.metrics_endpoint();
    log::info("metrics on " + mep.address().to_string() + ":" + std::to_string(mep.port()) +
              " (room.metrics)");

    // The link to the gateway (reconnects until stopped); /readyz says
    // whether it is up but stays 200 without it (no readiness cycle).
    room::gateway_link gateway(io.get_executor(), server, cfg, [](std::string_view line) {
        log::info(std::string("gateway link: ").append(line));
    });
    gateway.start();

    app::run_until_signal(
        io,
        [&](std::function<void()> done) {
            gateway.stop();
            server.stop(std::move(done));
        },
        cfg.room.shutdown_timeout);
    log::info("stopped");
    return app::exit_ok;
}

}  // namespace

int main(int argc, char** argv)
{
    return ovs::app::service_main("room",
                                  "ovenspace-room: the rooms, seats and viewers of OvenSpace",
                                  argc,
                                  argv,
                                  ovs::config::secrets_for::room,
                                  run);
}
