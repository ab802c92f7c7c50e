// ovenspace-gateway: the only part of OvenSpace that talks to OME.
//   ovenspace-gateway --config FILE [--check-config]
#include <ovs/config/config.hpp>
#include <ovs/gateway/gateway_service.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/system/system_error.hpp>

#include <csignal>
#include <cstring>
#include <iostream>
#include <string>

namespace {

const char* const usage =
    "usage: ovenspace-gateway --config FILE [--check-config]\n"
    "\n"
    "  --config FILE    the OvenSpace YAML config (see deploy/ovenspace.yaml)\n"
    "  --check-config   load and validate FILE, print a summary, exit\n"
    "  --help           this text\n"
    "\n"
    "Secrets may come from OVENSPACE_OME_API_TOKEN and OVENSPACE_WEBHOOK_SECRET.\n"
    "SIGTERM or SIGINT: stop accepting, close the room link, exit 0.\n";

}  // namespace

int main(int argc, char** argv)
{
    std::string config_path;
    bool check_only = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << usage;
            return 0;
        } else if (arg == "--check-config") {
            check_only = true;
        } else if (arg == "--config" && i + 1 < argc) {
            config_path = argv[++i];
        } else if (arg.rfind("--config=", 0) == 0) {
            config_path = arg.substr(9);
        } else {
            std::cerr << "ovenspace-gateway: unknown argument '" << arg << "'\n" << usage;
            return 2;
        }
    }
    if (config_path.empty()) {
        std::cerr << "ovenspace-gateway: --config FILE is required\n" << usage;
        return 2;
    }

    ovs::config::config cfg;
    try {
        cfg = ovs::config::load_file(config_path, ovs::config::secrets_for::gateway);
    } catch (const ovs::config::config_error& e) {
        std::cerr << "ovenspace-gateway: " << e.what() << '\n';
        return 1;
    }
    const auto log = ovs::gateway::stderr_log();
    // describe() shows secrets only as "(set)"/"(not set)".
    log("config " + config_path + ":\n" + ovs::config::describe(cfg));
    if (check_only) {
        std::cout << "config OK: " << config_path << '\n';
        return 0;
    }

    boost::asio::io_context ioc(1);
    // Signals are caught from here on, before anything listens.
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    ovs::gateway::gateway_service service(ioc.get_executor(), cfg, log);
    try {
        service.start();
    } catch (const std::exception& e) {
        // Cannot bind, or a missing webhook secret: say which, and stop.
        log(std::string("cannot start: ") + e.what());
        return 1;
    }

    bool stopping = false;
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        log(std::string("signal ") + strsignal(signo) + ": shutting down");
        stopping = true;
        service.stop();
    });
    while (!stopping && ioc.run_one() > 0) {
    }
    // In-flight OME calls end by their own deadline; never wait longer than
    // this for them.
    if (stopping) ioc.run_for(std::chrono::seconds(3));
    log("stopped");
    return 0;
}
