#pragma once
// The gateway's HTTP endpoint on libs/net: OME's AdmissionWebhooks
// (POST /v1/admission), /healthz, /readyz. /metrics is 404 here: it is served
// on gateway.metrics (ovs/net/metrics_listener.hpp says why).
//
// route() is the pure part (which endpoint a request is for, or the answer
// when it is for none); gateway_http hands the endpoints to the gateway.

#include <ovs/gateway/gateway_service.hpp>
#include <ovs/net/server.hpp>

#include <memory>
#include <variant>

namespace ovs::gateway {

enum class endpoint { admission, health, ready };

std::variant<endpoint, net::reply> route(const net::request& req);

class gateway_http final : public net::http_service {
public:
    explicit gateway_http(std::weak_ptr<gateway_service::impl> gw) : gw_(std::move(gw)) {}

    asio::awaitable<net::reply> handle(net::request req, net::peer_info peer) override;

private:
    std::weak_ptr<gateway_service::impl> gw_;
};

}  // namespace ovs::gateway
