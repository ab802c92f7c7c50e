#include "replica_cluster.hpp"

#include "cluster.hpp"
#include "deadline.hpp"
#include "http_client.hpp"
#include "ports.hpp"
#include "redis_server.hpp"

#include <ovs/testing/temp_files.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#ifndef OVS_ROOM_BINARY
#define OVS_ROOM_BINARY ""
#endif
#ifndef OVS_GATEWAY_BINARY
#define OVS_GATEWAY_BINARY ""
#endif

namespace ovs::integration {

namespace {

}  // namespace

double metric_value(const std::string& text, const std::string& name)
{
    const std::string key = "\n" + name + " ";
    const auto at = ("\n" + text).find(key);
    if (at == std::string::npos) return -1;
    return std::strtod(text.c_str() + at + key.size() - 1, nullptr);
}

replica_cluster::replica_cluster(replica_cluster_options options)
    : options_(options), dir_(testing::make_temp_dir("ovs-replicas"))
{
    redis_ = std::make_unique<ovs::test::redis_server>();
    media_ = std::make_unique<media_server>(dir_, webhook_secret_, "replica-api-token");
    rooms_.resize(options_.rooms);
    gateways_.resize(options_.gateways);
    for (auto& g : gateways_) {
        g.http_port = pick_free_port();
        g.link_port = pick_free_port();
        g.metrics_port = pick_free_port();
    }
    for (auto& r : rooms_) {
        r.port = pick_free_port();
        r.metrics_port = pick_free_port();
    }
    std::filesystem::create_directories(dir_ + "/web");
    testing::write_file(dir_ + "/web/index.html", "<!doctype html><title>replicas</title>\n");
    // A gateway's file carries the first replica's port; it never uses it.
    for (std::size_t i = 0; i < gateways_.size(); ++i) {
        auto& g = gateways_[i];
        g.config = dir_ + "/gateway" + std::to_string(i) + ".yaml";
        testing::write_file(g.config, config_text(rooms_.front(), g));
    }
    for (std::size_t i = 0; i < rooms_.size(); ++i) {
        auto& r = rooms_[i];
        r.config = dir_ + "/room" + std::to_string(i) + ".yaml";
        testing::write_file(r.config, config_text(r, gateways_.front()));
    }
    media_->start("http://127.0.0.1:" + std::to_string(gateways_.front().http_port) +
                  "/v1/admission");
    for (unsigned i = 0; i < gateways_.size(); ++i) start_gateway(i);
    for (unsigned i = 0; i < rooms_.size(); ++i) start_room(i);
    if (!wait_linked()) {
        throw std::runtime_error("the replicas did not link to every gateway\n" + diagnostics());
    }
}

replica_cluster::~replica_cluster()
{
    const bool failed = current_test_failed();
    if (failed) std::cerr << "\n===== replica test failed; process output:\n" << diagnostics();
    for (auto& r : rooms_) r.process.reset();
    for (auto& g : gateways_) g.process.reset();
    media_.reset();
    redis_.reset();
    if (failed || std::getenv("OVENSPACE_TEST_KEEP_LOGS")) {
        std::cerr << "===== logs and configs kept in " << dir_ << "\n";
    } else {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

std::string replica_cluster::config_text(const room_proc& room, const gateway_proc& gateway) const
{
    const auto& o = options_;
    const auto& m = *media_;
    const std::string signalling =
        "{ tls: false, port: " + std::to_string(m.signalling_port()) + " }";
    std::ostringstream y;
    y << "mode: webhook\n"
      << "ome:\n"
      << "  host: " << m.ingest_host() << "\n"
      << "  api:\n"
      << "    host: " << m.api_host() << "\n"
      << "    port: " << m.api_port() << "\n"
      << "    access_token: \"" << m.access_token() << "\"\n"
      << "    timeout_ms: 500\n"
      << "  rtmp_port: " << m.rtmp_port() << "\n"
      << "  srt_port: " << m.srt_port() << "\n"
      << "  webrtc_provider: " << signalling << "\n"
      << "  webrtc_publisher: " << signalling << "\n"
      << "  llhls: " << signalling << "\n"
      << "  webhook_secret: \"" << webhook_secret_ << "\"\n"
      << "room:\n"
      << "  listen: { address: 127.0.0.1, port: " << room.port << " }\n"
      << "  metrics: { address: 127.0.0.1, port: " << room.metrics_port << " }\n"
      << "  web_root: " << dir_ << "/web\n"
      << "  allowed_origins: [\"*\"]\n"
      << "  gateways:\n";
    for (const auto& g : gateways_) {
        y << "    - { address: 127.0.0.1, port: " << g.link_port << " }\n";
    }
    y << "  lease_ms: " << o.lease_ms << "\n"
      << "  disconnect_grace_ms: " << o.grace_ms << "\n"
      << "  presence_interval_ms: " << o.presence_ms << "\n"
      << "  shutdown_timeout_ms: 2000\n"
      << "  limits:\n"
      << "    commands_per_second: 500\n"
      << "    send_queue_messages: 4096\n"
      << "gateway:\n"
      << "  http: { address: 127.0.0.1, port: " << gateway.http_port << " }\n"
      << "  link: { address: 127.0.0.1, port: " << gateway.link_port << " }\n"
      << "  metrics: { address: 127.0.0.1, port: " << gateway.metrics_port << " }\n"
      << "  poll_interval_ms: " << o.poll_ms << "\n"
      << "  poll_backoff_max_ms: 1000\n"
      << "  outputs_probe_interval_ms: 100\n"
      << "link:\n"
      << "  secret: \"replica-link-secret-0123456789\"\n"
      << "  heartbeat_interval_ms: 500\n"
      << "  heartbeat_timeout_ms: 2000\n"
      << "  reconnect_min_ms: 50\n"
      << "  reconnect_max_ms: 500\n"
      << "store: redis\n"
      << "redis:\n"
      << "  url: " << redis_->url() << "\n"
      << "  key_prefix: ovs-replicas\n"
      << "  request_timeout_ms: 2000\n"
      << "  reconnect_min_ms: 50\n"
      << "  reconnect_max_ms: 500\n"
      << "  heartbeat_ms: " << o.heartbeat_ms << "\n"
      << "  maintain_ms: " << o.maintain_ms << "\n"
      << "rooms:\n"
      << "  - id: main\n"
      << "    title: Replicas\n"
      << "    seats: " << o.seats << "\n"
      << "    stream_prefix: stream\n";
    return y.str();
}

void replica_cluster::start_room(unsigned i)
{
    auto& r = rooms_.at(i);
    ++r.starts;
    r.process = std::make_unique<child_process>(
        "room" + std::to_string(i),
        OVS_ROOM_BINARY,
        std::vector<std::string>{"--config", r.config},
        dir_ + "/room" + std::to_string(i) + "." + std::to_string(r.starts));
    if (!wait_room_ready(i)) {
        throw std::runtime_error("room replica " + std::to_string(i) + " did not become ready\n" +
                                 diagnostics());
    }
}

void replica_cluster::kill_room(unsigned i)
{
    if (rooms_.at(i).process) rooms_[i].process->kill_now();
}

void replica_cluster::start_gateway(unsigned i)
{
    auto& g = gateways_.at(i);
    ++g.starts;
    g.process = std::make_unique<child_process>(
        "gateway" + std::to_string(i),
        OVS_GATEWAY_BINARY,
        std::vector<std::string>{"--config", g.config},
        dir_ + "/gateway" + std::to_string(i) + "." + std::to_string(g.starts));
    const bool up = poll_until(
        [&] {
            if (!gateway_running(i)) return true;
            return http_get(g.http_port, "/healthz", millis(500)).status == 200;
        },
        millis(15000),
        millis(25));
    if (!up || !gateway_running(i)) {
        throw std::runtime_error("gateway " + std::to_string(i) + " did not start\n" +
                                 diagnostics());
    }
}

void replica_cluster::kill_gateway(unsigned i)
{
    if (gateways_.at(i).process) gateways_[i].process->kill_now();
}

bool replica_cluster::room_running(unsigned i) const
{
    const auto& p = rooms_.at(i).process;
    return p && p->running();
}

bool replica_cluster::gateway_running(unsigned i) const
{
    const auto& p = gateways_.at(i).process;
    return p && p->running();
}

bool replica_cluster::wait_room_readyz(unsigned i, int status, std::chrono::milliseconds timeout)
{
    return poll_until(
               [&] {
                   if (!room_running(i)) return true;
                   return http_get(rooms_[i].port, "/readyz", millis(500)).status == status;
               },
               timeout,
               millis(25)) &&
           room_running(i);
}

bool replica_cluster::wait_room_ready(unsigned i, std::chrono::milliseconds timeout)
{
    return wait_room_readyz(i, 200, timeout);
}

bool replica_cluster::wait_linked(std::chrono::milliseconds timeout)
{
    return poll_until(
        [&] {
            double rooms_up = 0;
            double gateways_up = 0;
            for (unsigned i = 0; i < rooms_.size(); ++i) {
                if (!room_running(i)) continue;
                ++rooms_up;
                const auto ready = http_get(rooms_[i].port, "/readyz", millis(500));
                if (ready.status != 200) return false;
            }
            for (unsigned i = 0; i < gateways_.size(); ++i) {
                if (!gateway_running(i)) continue;
                ++gateways_up;
                if (metric_value(gateway_metrics(i), "ovs_gateway_link_up") != rooms_up) {
                    return false;
                }
            }
            for (unsigned i = 0; i < rooms_.size(); ++i) {
                if (!room_running(i)) continue;
                if (metric_value(room_metrics(i), "ovs_room_gateway_links_up") != gateways_up) {
                    return false;
                }
            }
            return true;
        },
        timeout,
        millis(50));
}

std::string replica_cluster::room_metrics(unsigned i) const
{
    return http_get(rooms_.at(i).metrics_port, "/metrics", millis(1000)).body;
}

std::string replica_cluster::gateway_metrics(unsigned i) const
{
    return http_get(gateways_.at(i).metrics_port, "/metrics", millis(1000)).body;
}

std::string replica_cluster::diagnostics() const
{
    std::string out = "configs in " + dir_ + "\n";
    for (const auto& g : gateways_) {
        if (g.process) out += g.process->output_tail(4000);
    }
    for (const auto& r : rooms_) {
        if (r.process) out += r.process->output_tail(4000);
    }
    if (media_) out += media_->diagnostics();
    if (redis_) out += redis_->diagnostics();
    return out;
}

}  // namespace ovs::integration
