#pragma once
// The system under test as real processes on loopback: the room service,
// the gateway and (unless a real OME is given) the OME stand-in, with a
// YAML config written for them in a temporary directory. Everything is
// stopped when the cluster goes away; the processes' output is printed
// when a test assertion failed, and the directory is kept then.

#include "child_process.hpp"
#include "media.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ovs::integration {

struct cluster_options {
    std::string mode = "webhook";  // or "open"
    unsigned seats = 4;
    std::string room_id = "main";
    std::string stream_prefix = "stream";
    unsigned lease_ms = 30000;
    unsigned grace_ms = 1000;
    unsigned poll_ms = 200;
    unsigned presence_ms = 100;
    unsigned ome_timeout_ms = 500;
    unsigned poll_backoff_max_ms = 1000;
    unsigned outputs_probe_ms = 100;
    unsigned outputs_timeout_ms = 15000;
    // Extra NAME=value pairs for a real OME started here (e.g.
    // OVENSPACE_OME_AAC_BYPASS=false).
    std::vector<std::string> ome_env;
    // The stand-in, or the real OME started here, sends AdmissionWebhooks
    // (false: the gateway learns of streams only by polling, as with an OME
    // whose Server.xml has none; a real OME then runs the shipped file
    // without its <AdmissionWebhooks>). An OME running elsewhere has what
    // its own Server.xml says.
    bool ome_webhooks = true;
    bool start = true;  // start all processes in the constructor
    // The room service keeps its seats across restarts in
    // <dir>/room-state.json (room.state_file); false: no state file.
    bool keep_room_state = true;
    // The stand-in whatever the environment names: for tests whose faults
    // only the stand-in can make (API 500, slow answers, publishes over its
    // control port), such as the chaos test.
    bool standin_only = false;
    // YAML lines added to the `ome:` section as they are (e.g. "  edges: [...]").
    std::string ome_extra;
    // The page the room service serves (e.g. web/dist); empty: a stub.
    std::string web_root;
    // A directory with ca.pem, cert.pem and key.pem (a certificate for
    // `localhost` and 127.0.0.1 from that CA): a real OME started here runs
    // Server.tls.xml with them, and the gateway reaches its API over https
    // with ca_file and hands out wss:// and https:// URLs for `localhost`.
    std::string tls_dir;
};

class cluster {
public:
    explicit cluster(cluster_options options = {});
    ~cluster();
    cluster(const cluster&) = delete;
    cluster& operator=(const cluster&) = delete;

    const cluster_options& options() const { return options_; }
    media_server& media() { return *media_; }
    bool real_ome() const { return media_->real(); }

    std::uint16_t room_port() const { return room_port_; }
    std::uint16_t gateway_http_port() const { return gateway_http_port_; }
    std::uint16_t gateway_link_port() const { return gateway_link_port_; }
    // room.metrics and gateway.metrics: /metrics is served there only.
    std::uint16_t room_metrics_port() const { return room_metrics_port_; }
    std::uint16_t gateway_metrics_port() const { return gateway_metrics_port_; }
    const std::string& dir() const { return dir_; }
    const std::string& config_path() const { return config_path_; }
    std::string room_state_path() const { return dir_ + "/room-state.json"; }
    std::string webhook_secret() const { return webhook_secret_; }
    // The link secret both services share (the config file carries it).
    static std::string link_secret() { return "integration-link-secret-0123"; }
    std::string stream(unsigned seat) const
    {
        return options_.stream_prefix + std::to_string(seat);
    }

    // Starts whatever is not running, in dependency order, and waits until
    // the room service says it is ready and the gateway link is up.
    void start_all();
    void start_gateway();
    void start_room();
    void stop_gateway();
    void stop_room();
    void kill_gateway();
    void kill_room();
    bool room_running() const { return room_ && room_->running(); }
    bool gateway_running() const { return gateway_ && gateway_->running(); }

    // /healthz and /readyz of a service answer 200 within `timeout`.
    bool wait_room_ready(std::chrono::milliseconds timeout = std::chrono::milliseconds(15000));
    bool wait_gateway_ready(std::chrono::milliseconds timeout = std::chrono::milliseconds(15000));
    // The gateway counts this many ready room links (its /metrics).
    bool wait_room_linked(std::chrono::milliseconds timeout = std::chrono::milliseconds(15000));

    std::string room_metrics() const;
    std::string gateway_metrics() const;

    // Every process's output tail, for failure messages.
    std::string diagnostics() const;

private:
    void write_config();

    cluster_options options_;
    std::string dir_;
    std::string config_path_;
    std::string webhook_secret_;
    std::uint16_t room_port_ = 0;
    std::uint16_t gateway_http_port_ = 0;
    std::uint16_t room_metrics_port_ = 0;     // room.metrics
    std::uint16_t gateway_metrics_port_ = 0;  // gateway.metrics
    std::uint16_t gateway_link_port_ = 0;
    std::unique_ptr<media_server> media_;
    std::unique_ptr<child_process> gateway_;
    std::unique_ptr<child_process> room_;
    int room_starts_ = 0;
    int gateway_starts_ = 0;
};

// Set by the suite's Catch listener when an assertion fails in the current
// test case; clusters print their logs when it is set.
bool current_test_failed();
void note_test_failure();
void reset_test_failure();

}  // namespace ovs::integration
