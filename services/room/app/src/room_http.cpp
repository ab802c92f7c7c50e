#include "room_http.hpp"

#include "http_routes.hpp"
#include "routes.hpp"
#include "viewer.hpp"

#include <ovs/util/url.hpp>

#include <algorithm>

namespace ovs::room {

namespace {

// A viewer id from the page: short and URL-safe, or ignored.
bool well_formed_viewer_id(const std::string& v)
{
    return !v.empty() && v.size() <= 64 && std::all_of(v.begin(), v.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

}  // namespace

asio::awaitable<net::reply> room_http::handle(net::request req, net::peer_info)
{
    const bool linked = !ctx_->linked || ctx_->linked() > 0;
    co_return route(req, *ctx_, server(), linked);
}

net::upgrade_answer room_http::upgrade(const net::request& req, const net::peer_info&)
{
    auto& ctx = *ctx_;
    if (util::target_path(req.target()) != "/ws") {
        ++ctx.counters.ws_refused["not_found"];
        return net::reply{
            net::error_response(http::status::not_found, "not_found", "WebSockets live at /ws")};
    }
    // Browsers always send Origin; a client without one (a tool) is not a
    // cross-site page, so only a present, unlisted origin is refused.
    auto origin = req[http::field::origin];
    if (!origin.empty() &&
        !http_rules::origin_allowed(origin, req[http::field::host], ctx.cfg.allowed_origins)) {
        ++ctx.counters.ws_refused["origin"];
        return net::reply{
            net::error_response(http::status::forbidden, "bad_origin", "Origin not allowed")};
    }
    auto room = util::query_param(req.target(), "room").value_or("");
    auto viewer_id = util::query_param(req.target(), "viewer").value_or("");
    if (!well_formed_viewer_id(viewer_id)) viewer_id.clear();
    return std::make_unique<viewer>(ctx_, std::move(room), std::move(viewer_id));
}

}  // namespace ovs::room
