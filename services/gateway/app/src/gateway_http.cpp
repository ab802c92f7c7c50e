#include "gateway_http.hpp"

#include "gateway_impl.hpp"

#include <ovs/util/url.hpp>

namespace ovs::gateway {

std::variant<endpoint, net::reply> route(const net::request& req)
{
    const auto path = util::target_path(req.target());
    const bool read = req.method() == http::verb::get || req.method() == http::verb::head;
    if (path == "/v1/admission") {
        if (req.method() != http::verb::post) return net::method_not_allowed("POST");
        return endpoint::admission;
    }
    for (auto [name, which] : {std::pair{std::string_view("/healthz"), endpoint::health},
                               std::pair{std::string_view("/readyz"), endpoint::ready}}) {
        if (path != name) continue;
        if (!read) return net::method_not_allowed("GET, HEAD");
        return which;
    }
    return net::error_response(http::status::not_found, "not_found", "Not found");
}

asio::awaitable<net::reply> gateway_http::handle(net::request req, net::peer_info peer)
{
    auto routed = route(req);
    if (auto* answer = std::get_if<net::reply>(&routed)) co_return std::move(*answer);
    auto self = gw_.lock();
    if (!self || self->stopped) {
        co_return net::error_response(
            http::status::service_unavailable, "stopping", "The gateway is shutting down");
    }
    switch (std::get<endpoint>(routed)) {
        case endpoint::admission: {
            std::optional<std::string> signature;
            if (auto it = req.find("X-OME-Signature"); it != req.end()) {
                signature = std::string(it->value());
            }
            co_return co_await gateway_service::impl::handle_webhook(
                self, std::move(req.body()), std::move(signature), std::move(peer));
        }
        case endpoint::health:
            co_return net::health_response();
        case endpoint::ready:
            co_return net::readiness_response(self->readiness());
    }
    co_return net::error_response(http::status::not_found, "not_found", "Not found");
}

}  // namespace ovs::gateway
