#include "ome_process.hpp"

#include "deadline.hpp"
#include "http_client.hpp"
#include "media.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#ifndef OVS_SOURCE_DIR
#error "OVS_SOURCE_DIR must name the repository (for deploy/ome/*.xml)"
#endif

namespace ovs::integration {

std::optional<std::string> ome_binary_from_env()
{
    const char* bin = std::getenv("OVENSPACE_TEST_OME_BIN");
    if (!bin || !*bin) return std::nullopt;
    return std::string(bin);
}

bool ome_required_by_env()
{
    const char* v = std::getenv("OVENSPACE_TEST_REQUIRE_OME");
    return v && std::string(v) == "1";
}

ome_process::ome_process(ome_launch launch)
    : launch_(std::move(launch)), ports_(ome_ports::pick(launch_.tls))
{
}

ome_process::~ome_process()
{
    stop();
}

void ome_process::write_config() const
{
    namespace fs = std::filesystem;
    fs::create_directories(conf_dir());
    fs::create_directories(log_dir());
    const std::string shipped = std::string(OVS_SOURCE_DIR) + "/deploy/ome/";
    std::string server = read_text_file(shipped + (launch_.tls ? "Server.tls.xml" : "Server.xml"));
    const std::string logger = read_text_file(shipped + "Logger.xml");
    if (server.empty() || logger.empty()) {
        throw std::runtime_error("cannot read " + shipped + "{Server,Server.tls,Logger}.xml");
    }
    // Exactly the file we ship: every port and secret comes from the
    // environment. Open mode drops the webhooks, nothing else.
    if (!launch_.webhooks) server = without_admission_webhooks(server);
    std::ofstream(conf_dir() + "/Server.xml") << server;
    std::ofstream(conf_dir() + "/Logger.xml") << logger_xml_logging_to(logger, log_dir());
}

void ome_process::start(std::chrono::milliseconds timeout)
{
    if (running()) return;
    write_config();
    ++starts_;
    process_ = std::make_unique<child_process>("ome",
                                               launch_.binary,
                                               std::vector<std::string>{"-c", conf_dir()},
                                               launch_.dir + "/ome." + std::to_string(starts_),
                                               ome_environment(launch_.settings, ports_),
                                               launch_.dir);
    http_call probe;
    probe.port = ports_.api;
    probe.target = "/v1/vhosts";
    probe.headers["Authorization"] = basic_auth(launch_.settings.token);
    probe.timeout = millis(1000);
    const bool up =
        poll_until([&] { return !process_->running() || http_request(probe).status == 200; },
                   timeout,
                   millis(50));
    if (!up || !process_->running()) {
        const std::string why =
            process_->running() ? "did not answer on its API in time" : "exited while starting";
        const std::string out = diagnostics();
        process_->stop();
        throw std::runtime_error("the real OME (" + launch_.binary + ") " + why + "\n" + out);
    }
}

void ome_process::stop(std::chrono::milliseconds grace)
{
    if (process_) process_->stop(grace);
}

bool ome_process::running() const
{
    return process_ && process_->running();
}

void ome_process::pause()
{
    if (process_) process_->pause();
}

void ome_process::resume()
{
    if (process_) process_->resume();
}

std::string ome_process::diagnostics() const
{
    if (!process_) return "";
    // OME writes the same lines to stdout and to its log file; the tail of
    // stdout is enough, and the file is kept with the test's directory.
    return process_->output_tail(12000) + "----- OME log dir: " + log_dir() + "\n";
}

}  // namespace ovs::integration
