#include <ovs/app/command_line.hpp>
#include <ovs/app/service_main.hpp>
#include <ovs/log/log.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <cstring>
#include <iostream>

namespace ovs::app {

int service_main(std::string_view service,
                 std::string_view description,
                 int argc,
                 char** argv,
                 config::secrets_for who,
                 const std::function<int(const config::config&)>& run)
{
    const std::string program = "ovenspace-" + std::string(service);
    auto parsed = parse_command_line(program, description, argc, argv, std::cout, std::cerr);
    if (const int* code = std::get_if<int>(&parsed)) return *code;
    const auto& cl = std::get<command_line>(parsed);
    log::setup(service, cl.log_level, cl.log_format);

    config::config cfg;
    try {
        cfg = config::load_file(cl.config_path, who);
    } catch (const std::exception& e) {
        // The loader names the file, the key, the line and what was expected.
        std::cerr << program << ": " << e.what() << '\n';
        return exit_usage;
    }
    if (cl.check_only) {
        std::cout << config::describe(cfg) << cl.config_path << ": OK\n";
        return exit_ok;
    }
    // describe() shows secrets only as "(set)"/"(not set)".
    log::info("config " + cl.config_path + ":\n" + config::describe(cfg));
    try {
        return run(cfg);
    } catch (const std::exception& e) {
        log::error(e.what());
        return exit_failure;
    }
}

void run_until_signal(asio::io_context& io, const stopper& stop, std::chrono::milliseconds grace)
{
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
        log::info(std::string("signal ") + strsignal(sig) + ": shutting down");
        backstop.expires_after(grace);
        backstop.async_wait([&](const error_code& tec) {
            if (tec) return;
            log::warn("still busy after the shutdown grace period: stopping now");
            io.stop();
        });
        signals.async_wait(on_signal);
        // Nothing else keeps `io` busy once the service is done.
        stop([&] {
            backstop.cancel();
            signals.cancel();
        });
    };
    signals.async_wait(on_signal);
    io.run();
}

}  // namespace ovs::app
