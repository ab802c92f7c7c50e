#include "routes.hpp"

#include "http_routes.hpp"
#include "page_policy.hpp"
#include "static_files.hpp"
#include "wire.hpp"

#include <ovs/util/url.hpp>

namespace ovs::room {

namespace {

net::string_response json_ok(const wire::json& body)
{
    auto res = net::make_response(http::status::ok, "application/json", body.dump());
    res.set(http::field::cache_control, "no-store");
    return res;
}

wire::json rooms_list(const room_store& model)
{
    wire::json list = wire::json::array();
    for (const auto& id : model.room_ids()) {
        auto snap = model.snapshot(id);
        if (!snap) continue;
        std::size_t free = 0, reserved = 0, live = 0;
        for (const auto& s : snap->seats) {
            if (s.state == seat_state::free) ++free;
            if (s.state == seat_state::reserved) ++reserved;
            if (on_air(s.state)) ++live;  // starting and failed broadcast too
        }
        list.push_back({{"id", snap->id},
                        {"title", snap->title},
                        {"seat_count", snap->seats.size()},
                        {"viewers", snap->viewers},
                        {"seats", {{"free", free}, {"reserved", reserved}, {"live", live}}}});
    }
    return {{"rooms", std::move(list)}};
}

net::reply api(std::string_view path, const room_context& ctx)
{
    if (path == "/api/rooms") return json_ok(rooms_list(*ctx.store));
    constexpr std::string_view prefix = "/api/rooms/";
    if (path.rfind(prefix, 0) == 0) {
        auto id = util::percent_decode(path.substr(prefix.size()));
        auto snap = id ? ctx.store->snapshot(*id) : std::nullopt;
        if (!snap) {
            return net::error_response(http::status::not_found, "unknown_room", "No such room");
        }
        wire::json seats = wire::json::array();
        for (const auto& s : snap->seats) seats.push_back(wire::seat_json(s));
        return json_ok({{"id", snap->id},
                        {"title", snap->title},
                        {"seat_count", snap->seats.size()},
                        {"seq", snap->seq},
                        {"viewers", snap->viewers},
                        {"seats", std::move(seats)},
                        {"media", wire::media_json(ctx.media)},
                        {"playback", wire::playback_json(ctx.templates_or_null(), "")}});
    }
    return net::error_response(http::status::not_found, "not_found", "No such API");
}

// The page's own headers (page_policy.hpp) on every HTML answer: the page,
// /r/<room>, the placeholder page.
net::reply with_page_policy(net::reply answer, const room_context& ctx)
{
    std::visit(
        [&](auto& res) {
            if (res[http::field::content_type].substr(0, 9) != "text/html") return;
            const auto origins = page_media_origins(
                ctx.templates_or_null(), ctx.configured_media_origins, ctx.configured_edge_origins);
            res.set("Content-Security-Policy",
                    content_security_policy(origins, ctx.cfg.frame_ancestors));
            if (ctx.cfg.frame_ancestors.empty()) res.set(http::field::x_frame_options, "DENY");
        },
        answer);
    return answer;
}

}  // namespace

net::readiness readiness(const net::server_status& server, bool linked, bool store_available)
{
    net::readiness r;
    if (server.stopping) {
        r.not_ready_because.emplace_back("shutting down");
    } else if (!server.accepting) {
        r.not_ready_because.emplace_back("not accepting connections");
    }
    // The page and WebSockets work without the gateway; waiting for it here
    // would be a readiness cycle (it is reached through a Service that routes
    // only to ready pods, and the gateway's link comes from us).
    // The shared seat store (Redis) away: this replica cannot change seats,
    // so new connections should go to one that can. The ones it has keep
    // being served (store_unavailable to claims until it is back).
    if (!store_available) r.not_ready_because.emplace_back("seat store unavailable");
    if (!linked) {
        r.degraded.emplace_back(
            "no gateway link: seats' media state is stale and no publisher is admitted");
    }
    return r;
}

net::reply route(const net::request& req,
                 const room_context& ctx,
                 const net::server_status& server,
                 bool linked)
{
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        return net::method_not_allowed("GET, HEAD");
    }
    auto path = util::target_path(req.target());
    if (path == "/healthz") return net::health_response();
    if (path == "/readyz") {
        return net::readiness_response(readiness(server, linked, ctx.store->available()));
    }
    // Not public: served on room.metrics (metrics_listener.hpp says why).
    if (path == "/metrics") {
        return net::error_response(http::status::not_found, "not_found", "Not found");
    }
    if (path == "/ws") {
        return net::error_response(
            http::status::upgrade_required, "upgrade_required", "WebSocket upgrade expected");
    }
    if (path == "/api" || path.rfind("/api/", 0) == 0) return api(path, ctx);
    return with_page_policy(static_file(ctx.cfg.web_root, path), ctx);
}

}  // namespace ovs::room
