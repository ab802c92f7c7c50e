#include <ovs/net/metrics_listener.hpp>

namespace ovs::net {

reply metrics_route(const request& req, const std::function<std::string()>& render)
{
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        return method_not_allowed("GET, HEAD");
    }
    const auto target = req.target();
    const auto path = target.substr(0, target.find('?'));
    if (path == "/metrics") {
        auto res = make_response(http::status::ok, prometheus_content_type, render());
        res.set(http::field::cache_control, "no-store");
        return res;
    }
    if (path == "/healthz") return health_response();
    return error_response(http::status::not_found, "not_found", "This listener serves /metrics");
}

asio::awaitable<reply> metrics_service::handle(request req, peer_info)
{
    co_return metrics_route(req, render_);
}

server_options metrics_listener_options(std::string service,
                                        std::string server_header,
                                        std::string address,
                                        std::uint16_t port,
                                        std::string config_key)
{
    server_options o;
    o.service = std::move(service) + " metrics";
    o.server_header = std::move(server_header);
    o.address = std::move(address);
    o.port = port;
    o.config_key = std::move(config_key);
    o.backlog = 64;
    // A scraper or two, each keeping one connection alive.
    o.max_http_connections = 16;
    o.max_body_bytes = 1024;  // a scrape has no body
    o.ws.max_sessions = 0;
    return o;
}

}  // namespace ovs::net
