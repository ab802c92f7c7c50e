#pragma once
// OvenSpace past one machine, as real processes on loopback: a real
// redis-server (Debian's, on a free port, no persistence), N room service
// replicas on `store: redis`, M gateways (every replica links to every
// gateway: room.gateways), and the OME stand-in whose webhooks go to the
// first gateway. Each process gets its own config file (its own ports; the
// rest is the same). Always the stand-in, whatever the environment says:
// the scenarios SIGKILL and restart processes and count what OME was asked.

#include "child_process.hpp"
#include "media.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ovs::test {
class redis_server;
}

namespace ovs::integration {

struct replica_cluster_options {
    unsigned rooms = 3;
    unsigned gateways = 2;
    unsigned seats = 4;
    unsigned lease_ms = 30000;
    unsigned grace_ms = 1000;
    unsigned poll_ms = 200;
    unsigned presence_ms = 100;
    // redis.heartbeat_ms: a dead replica's key lives 3x this. Not shorter:
    // a sanitized replica on a loaded 2-core machine can miss a beat of
    // 200 ms, and the others then reap its seats and viewers (seen).
    unsigned heartbeat_ms = 1000;
    unsigned maintain_ms = 200;  // redis.maintain_ms
};

class replica_cluster {
public:
    explicit replica_cluster(replica_cluster_options options = {});
    ~replica_cluster();
    replica_cluster(const replica_cluster&) = delete;
    replica_cluster& operator=(const replica_cluster&) = delete;

    const replica_cluster_options& options() const { return options_; }
    media_server& media() { return *media_; }
    ovs::test::redis_server& redis() { return *redis_; }
    const std::string& dir() const { return dir_; }
    std::string webhook_secret() const { return webhook_secret_; }
    std::string stream(unsigned seat) const { return "stream" + std::to_string(seat); }

    std::uint16_t room_port(unsigned i) const { return rooms_.at(i).port; }
    std::uint16_t gateway_http_port(unsigned i) const { return gateways_.at(i).http_port; }

    void start_room(unsigned i);
    void kill_room(unsigned i);
    void start_gateway(unsigned i);
    void kill_gateway(unsigned i);
    bool room_running(unsigned i) const;
    bool gateway_running(unsigned i) const;

    // Every running room replica is ready (/readyz 200, so its store is
    // available) and has a link to every running gateway; every running
    // gateway counts every running replica's link.
    bool wait_linked(std::chrono::milliseconds timeout = std::chrono::milliseconds(20000));
    bool wait_room_ready(unsigned i,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(15000));
    // /readyz of replica i answers `status`.
    bool wait_room_readyz(unsigned i,
                          int status,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(15000));

    std::string room_metrics(unsigned i) const;
    std::string gateway_metrics(unsigned i) const;
    std::string diagnostics() const;

private:
    struct room_proc {
        std::uint16_t port = 0;
        std::uint16_t metrics_port = 0;  // room.metrics, its own per replica
        std::string config;
        std::unique_ptr<child_process> process;
        int starts = 0;
    };
    struct gateway_proc {
        std::uint16_t http_port = 0;
        std::uint16_t link_port = 0;
        std::uint16_t metrics_port = 0;  // gateway.metrics
        std::string config;
        std::unique_ptr<child_process> process;
        int starts = 0;
    };
    // One process's file: only its own listeners are bound, but every
    // listener gets a free port (never a default one).
    std::string config_text(const room_proc& room, const gateway_proc& gateway) const;

    replica_cluster_options options_;
    std::string dir_;
    std::string webhook_secret_ = "replica-webhook-secret";
    std::unique_ptr<ovs::test::redis_server> redis_;
    std::unique_ptr<media_server> media_;
    std::vector<room_proc> rooms_;
    std::vector<gateway_proc> gateways_;
};

// `name value` from Prometheus text (the first sample of that exact name
// and labels), or -1.
double metric_value(const std::string& text, const std::string& name);

}  // namespace ovs::integration
