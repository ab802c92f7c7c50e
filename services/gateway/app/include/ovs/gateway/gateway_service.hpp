#pragma once
// The gateway service, wired: OME poller, room link server, webhook/health
// HTTP endpoint, metrics listener. main.cpp builds one from the loaded config; tests
// build one on an io_context with ports 0 and talk to it over loopback.
//
// What goes to the room service (libs/link):
//   on every new connection: endpoints, media_status, streams (snapshot);
//   afterwards: stream_up / stream_down (webhook: at once; poll: confirms or
//   corrects), media_status when OME's reachability changes.
// What comes from it: admission_check answers, kick requests (OME DELETE).
// OME sees only: the periodic stream list, one detail fetch per new stream,
// /v1/version at start and after recovering, and kicks.

#include <ovs/config/config.hpp>
#include <ovs/net/net.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace ovs::gateway {

// Receives one log line (no newline). Never given secrets. Tests pass one to
// read what the gateway says; empty (the default): the process's logger
// (ovs/log), with each line's level.
using log_sink = std::function<void(std::string_view line)>;

class gateway_service {
public:
    gateway_service(asio::any_io_executor ex, config::config cfg, log_sink log = {});
    ~gateway_service();
    gateway_service(const gateway_service&) = delete;
    gateway_service& operator=(const gateway_service&) = delete;

    // Binds gateway.http, gateway.link and gateway.metrics (throws
    // boost::system::system_error when one cannot be bound) and starts polling OME. Throws
    // std::invalid_argument, before binding anything, when ome.webhook_secret
    // or link.secret is empty (in every mode).
    void start();

    // Stops accepting, closes room links, stops polling. Idempotent; pending
    // operations end on their own shortly after (bounded by ome.api.timeout).
    void stop();

    std::uint16_t http_port() const;
    std::uint16_t link_port() const;
    // gateway.metrics: /metrics for Prometheus (gateway.http answers it 404).
    std::uint16_t metrics_port() const;

    // For tests and /readyz.
    bool ome_reachable() const;
    std::size_t room_links_ready() const;
    std::string metrics_text() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace ovs::gateway
