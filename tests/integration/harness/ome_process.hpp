#pragma once
// A real OvenMediaEngine as a child process of a test: a config directory
// of its own (the Server.xml we ship, or its TLS variant, with every port and
// secret given through the environment; our Logger.xml writing into that
// directory), free ports, loopback only, stopped by PID and waited for.

#include "child_process.hpp"
#include "ome_config.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace ovs::integration {

// OVENSPACE_TEST_OME_BIN, when set and not empty.
std::optional<std::string> ome_binary_from_env();
// OVENSPACE_TEST_REQUIRE_OME=1: a test that would fall back to the stand-in
// fails instead.
bool ome_required_by_env();

struct ome_launch {
    std::string binary;
    std::string dir;  // conf/ and logs/ are made in it
    bool tls = false;
    // false: the shipped Server.xml minus its <AdmissionWebhooks> (open mode).
    bool webhooks = true;
    ome_settings settings;
};

class ome_process {
public:
    // Picks the ports; start() writes the config and runs OME.
    explicit ome_process(ome_launch launch);
    ~ome_process();
    ome_process(const ome_process&) = delete;
    ome_process& operator=(const ome_process&) = delete;

    // Starts OME and waits (bounded) until its REST API answers. Throws with
    // OME's output when it exits or does not answer in time.
    void start(std::chrono::milliseconds timeout = std::chrono::milliseconds(30000));
    // SIGTERM, waits for the PID (OME takes 2 to 5 s), SIGKILL past `grace`.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10000));
    bool running() const;
    // SIGSTOP / SIGCONT: OME keeps its sockets but answers nothing.
    void pause();
    void resume();

    const ome_ports& ports() const { return ports_; }
    const ome_launch& launch() const { return launch_; }
    // What the next start() uses (e.g. webhooks on or off).
    ome_launch& launch() { return launch_; }
    std::string conf_dir() const { return launch_.dir + "/conf"; }
    std::string log_dir() const { return launch_.dir + "/logs"; }
    std::string diagnostics() const;

private:
    void write_config() const;

    ome_launch launch_;
    ome_ports ports_;
    std::unique_ptr<child_process> process_;
    int starts_ = 0;
};

}  // namespace ovs::integration
