#include "cluster.hpp"

#include "deadline.hpp"
#include "http_client.hpp"
#include "ports.hpp"

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

bool g_failed = false;

// Which media server the tests run against, once per test process.
void say_media_once(const media_server& media)
{
    static bool said = false;
    if (said) return;
    said = true;
    std::cerr << "integration: against " << media.describe();
    if (!media.real()) {
        std::cerr << " (set OVENSPACE_TEST_OME_BIN to a real OvenMediaEngine binary to test "
                     "against it)";
    }
    std::cerr << "\n";
}

}  // namespace

bool current_test_failed()
{
    return g_failed;
}

void note_test_failure()
{
    g_failed = true;
}

void reset_test_failure()
{
    g_failed = false;
}

cluster::cluster(cluster_options options)
    : options_(std::move(options)), dir_(testing::make_temp_dir("ovs-integration"))
{
    config_path_ = dir_ + "/ovenspace.yaml";
    room_port_ = pick_free_port();
    room_metrics_port_ = pick_free_port();
    gateway_link_port_ = pick_free_port();
    gateway_metrics_port_ = pick_free_port();
    if (auto binary = options_.standin_only ? std::nullopt : ome_binary_from_env()) {
        gateway_http_port_ = pick_free_port();
        webhook_secret_ = "integration-webhook-secret";
        media_ = std::make_unique<media_server>(
            *binary,
            dir_,
            webhook_secret_,
            "integration-api-token",
            options_.tls_dir.empty()
                ? std::nullopt
                : std::optional<ome_tls_files>(ome_tls_files{options_.tls_dir + "/cert.pem",
                                                             options_.tls_dir + "/key.pem",
                                                             options_.tls_dir + "/ca.pem"}));
        media_->ome()->launch().settings.extra_env = options_.ome_env;
    } else if (auto real = options_.standin_only ? std::nullopt : real_ome_from_env()) {
        gateway_http_port_ = real->gateway_http_port;
        webhook_secret_ = real->webhook_secret;
        media_ = std::make_unique<media_server>(*real, dir_);
    } else {
        if (!options_.tls_dir.empty()) {
            throw std::runtime_error("TLS needs a real OME started here (OVENSPACE_TEST_OME_BIN)");
        }
        if (ome_required_by_env() && !options_.standin_only) {
            throw std::runtime_error(
                "OVENSPACE_TEST_REQUIRE_OME=1 but neither OVENSPACE_TEST_OME_BIN nor "
                "OVENSPACE_TEST_OME_API names a real OME");
        }
        gateway_http_port_ = pick_free_port();
        webhook_secret_ = "integration-webhook-secret";
        media_ = std::make_unique<media_server>(dir_, webhook_secret_, "integration-api-token");
    }
    say_media_once(*media_);
    write_config();
    if (options_.start) start_all();
}

cluster::~cluster()
{
    const bool failed = current_test_failed();
    if (failed) std::cerr << "\n===== integration test failed; process output:\n" << diagnostics();
    room_.reset();
    gateway_.reset();
    media_.reset();
    if (failed || std::getenv("OVENSPACE_TEST_KEEP_LOGS")) {
        std::cerr << "===== logs and config kept in " << dir_ << "\n";
    } else {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

void cluster::write_config()
{
    const auto& o = options_;
    // With TLS everything browsers and the gateway dial is the name on the
    // test's certificate, over OME's TLS ports (the API with the test's CA).
    const bool tls = !o.tls_dir.empty();
    const std::string signalling =
        tls ? "{ tls: true, port: " + std::to_string(media_->signalling_tls_port()) + " }"
            : "{ tls: false, port: " + std::to_string(media_->signalling_port()) + " }";
    std::ostringstream y;
    y << "mode: " << o.mode << "\n"
      << "ome:\n"
      << "  host: " << (tls ? "localhost" : media_->ingest_host()) << "\n"
      << "  api:\n"
      << "    host: " << (tls ? "localhost" : media_->api_host()) << "\n"
      << "    port: " << (tls ? media_->api_tls_port() : media_->api_port()) << "\n"
      << "    tls: " << (tls ? "true" : "false") << "\n"
      << (tls ? "    ca_file: " + o.tls_dir + "/ca.pem\n" : std::string()) << "    access_token: \""
      << media_->access_token() << "\"\n"
      << "    timeout_ms: " << o.ome_timeout_ms << "\n"
      << "  rtmp_port: " << media_->rtmp_port() << "\n"
      << "  srt_port: " << media_->srt_port() << "\n"
      << "  webrtc_provider: " << signalling << "\n"
      << "  webrtc_publisher: " << signalling << "\n"
      << "  llhls: " << signalling << "\n"
      << "  webhook_secret: \"" << webhook_secret_ << "\"\n"
      << o.ome_extra << "room:\n"
      << "  listen: { address: 127.0.0.1, port: " << room_port_ << " }\n"
      << "  metrics: { address: 127.0.0.1, port: " << room_metrics_port_ << " }\n"
      << "  web_root: " << (o.web_root.empty() ? dir_ + "/web" : o.web_root) << "\n"
      << "  allowed_origins: [\"*\"]\n"
      << "  gateway: { address: 127.0.0.1, port: " << gateway_link_port_ << " }\n"
      << "  lease_ms: " << o.lease_ms << "\n"
      << "  disconnect_grace_ms: " << o.grace_ms << "\n"
      << "  presence_interval_ms: " << o.presence_ms << "\n"
      << "  shutdown_timeout_ms: 2000\n"
      << (o.keep_room_state ? "  state_file: " + room_state_path() + "\n" : std::string())
      << "  limits:\n"
      << "    commands_per_second: 200\n"
      << "    send_queue_messages: 4096\n"
      << "gateway:\n"
      << "  http: { address: 127.0.0.1, port: " << gateway_http_port_ << " }\n"
      << "  link: { address: 127.0.0.1, port: " << gateway_link_port_ << " }\n"
      << "  metrics: { address: 127.0.0.1, port: " << gateway_metrics_port_ << " }\n"
      << "  poll_interval_ms: " << o.poll_ms << "\n"
      << "  poll_backoff_max_ms: " << std::max(o.poll_backoff_max_ms, o.poll_ms) << "\n"
      << "  outputs_probe_interval_ms: " << o.outputs_probe_ms << "\n"
      << "  outputs_timeout_ms: " << o.outputs_timeout_ms << "\n"
      << "link:\n"
      << "  secret: \"" << link_secret() << "\"\n"
      << "  heartbeat_interval_ms: 500\n"
      << "  heartbeat_timeout_ms: 2000\n"
      << "  reconnect_min_ms: 50\n"
      << "  reconnect_max_ms: 500\n"
      << "rooms:\n"
      << "  - id: " << o.room_id << "\n"
      << "    title: Integration\n"
      << "    seats: " << o.seats << "\n"
      << "    stream_prefix: " << o.stream_prefix << "\n";
    testing::write_file(dir_ + "/web/index.html", "<!doctype html><title>integration</title>\n");
    testing::write_file(config_path_, y.str());
}

void cluster::start_all()
{
    if (!media_->running()) {
        media_->start(options_.ome_webhooks
                          ? "http://127.0.0.1:" + std::to_string(gateway_http_port_) +
                                "/v1/admission"
                          : "");
    }
    if (!gateway_running()) start_gateway();
    if (!room_running()) start_room();
    if (!wait_room_linked()) {
        throw std::runtime_error("the room service did not link to the gateway\n" + diagnostics());
    }
}

void cluster::start_gateway()
{
    ++gateway_starts_;
    gateway_ =
        std::make_unique<child_process>("gateway",
                                        OVS_GATEWAY_BINARY,
                                        std::vector<std::string>{"--config", config_path_},
                                        dir_ + "/gateway." + std::to_string(gateway_starts_));
    if (!wait_gateway_ready()) {
        throw std::runtime_error("the gateway did not become healthy\n" + diagnostics());
    }
}

void cluster::start_room()
{
    ++room_starts_;
    room_ = std::make_unique<child_process>("room",
                                            OVS_ROOM_BINARY,
                                            std::vector<std::string>{"--config", config_path_},
                                            dir_ + "/room." + std::to_string(room_starts_));
    if (!wait_room_ready()) {
        throw std::runtime_error("the room service did not become ready\n" + diagnostics());
    }
}

void cluster::stop_gateway()
{
    if (gateway_) gateway_->stop();
}

void cluster::stop_room()
{
    if (room_) room_->stop();
}

void cluster::kill_gateway()
{
    if (gateway_) gateway_->kill_now();
}

void cluster::kill_room()
{
    if (room_) room_->kill_now();
}

bool cluster::wait_room_ready(std::chrono::milliseconds timeout)
{
    return poll_until(
               [&] {
                   if (!room_running()) return true;
                   return http_get(room_port_, "/healthz", millis(500)).status == 200 &&
                          http_get(room_port_, "/readyz", millis(500)).status == 200;
               },
               timeout,
               millis(25)) &&
           room_running();
}

bool cluster::wait_gateway_ready(std::chrono::milliseconds timeout)
{
    // Its /readyz waits for the first poll of OME (the stand-in may be down
    // on purpose), so /healthz: it runs and answers.
    return poll_until(
               [&] {
                   if (!gateway_running()) return true;
                   return http_get(gateway_http_port_, "/healthz", millis(500)).status == 200;
               },
               timeout,
               millis(25)) &&
           gateway_running();
}

bool cluster::wait_room_linked(std::chrono::milliseconds timeout)
{
    return poll_until(
               [&] {
                   if (!room_running() || !gateway_running()) return true;
                   // Both are ready without the link (no readiness cycle), so
                   // the link is read from each side: the gateway's gauge and
                   // the room's /readyz, which says "no gateway link" while down.
                   const auto room_ready = http_get(room_port_, "/readyz", millis(500));
                   return room_ready.status == 200 &&
                          room_ready.body.find("no gateway link") == std::string::npos &&
                          http_get(gateway_metrics_port_, "/metrics", millis(500))
                                  .body.find("\novs_gateway_link_up 1") != std::string::npos;
               },
               timeout,
               millis(25)) &&
           room_running() && gateway_running();
}

std::string cluster::room_metrics() const
{
    return http_get(room_metrics_port_, "/metrics").body;
}

std::string cluster::gateway_metrics() const
{
    return http_get(gateway_metrics_port_, "/metrics").body;
}

std::string cluster::diagnostics() const
{
    std::string out = "config: " + config_path_ + "\n";
    if (gateway_) out += gateway_->output_tail();
    if (room_) out += room_->output_tail();
    if (media_) out += media_->diagnostics();
    return out;
}

}  // namespace ovs::integration
