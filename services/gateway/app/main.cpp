// ovenspace-gateway: the only part of OvenSpace that talks to OME. The
// command line is every service's (ovs/app/command_line.hpp). SIGTERM or
// SIGINT: stop accepting, close the room link, exit 0 once the OME calls in
// flight have ended (each within ome.api.timeout_ms).

#include <ovs/app/command_line.hpp>
#include <ovs/app/service_main.hpp>
#include <ovs/gateway/gateway_service.hpp>
#include <ovs/log/log.hpp>

#include <boost/asio/io_context.hpp>

namespace {

int run(const ovs::config::config& cfg)
{
    using namespace ovs;
    asio::io_context io(1);
    gateway::gateway_service service(io.get_executor(), cfg);
    service.start();
    app::run_until_signal(
        io,
        [&](std::function<void()> done) {
            service.stop();
            // What is left (OME calls in flight) ends by its own deadline.
            done();
        },
        cfg.ome.api.timeout + std::chrono::seconds(1));
    log::info("stopped");
    return app::exit_ok;
}

}  // namespace

int main(int argc, char** argv)
{
    return ovs::app::service_main("gateway",
                                  "ovenspace-gateway: the OvenSpace service that talks to OME",
                                  argc,
                                  argv,
                                  ovs::config::secrets_for::gateway,
                                  run);
}
