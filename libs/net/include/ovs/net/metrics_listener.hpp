#pragma once
// /metrics on a listener of its own. A service's public listener (the room's
// page, the gateway's webhook endpoint) refuses /metrics: counters tell an
// outsider how busy the service is, how many links failed, and which paths
// are probed. Prometheus scrapes this one instead, on an address that the
// config keeps on loopback unless a deployment opens it to its scraper
// (room.metrics, gateway.metrics).
//
// The listener answers GET/HEAD /metrics with the text the service renders
// at that moment, /healthz like every listener, and 404 for anything else.
// It has its own small connection cap, so a scraper cannot starve the
// public listener and the public listener's load cannot lock out the
// scraper.

#include <ovs/net/server.hpp>

#include <functional>
#include <memory>
#include <string>

namespace ovs::net {

// The routing of a metrics listener: `render` gives the Prometheus text.
class metrics_service final : public http_service {
public:
    explicit metrics_service(std::function<std::string()> render) : render_(std::move(render)) {}
    asio::awaitable<reply> handle(request req, peer_info peer) override;

private:
    std::function<std::string()> render_;
};

// The pure part: the answer to `req`, with `render` called only for
// /metrics.
reply metrics_route(const request& req, const std::function<std::string()>& render);

// server_options for a metrics listener of `service` ("room") on
// `address`:`port`, `config_key` naming where they came from.
server_options metrics_listener_options(std::string service,
                                        std::string server_header,
                                        std::string address,
                                        std::uint16_t port,
                                        std::string config_key);

}  // namespace ovs::net
