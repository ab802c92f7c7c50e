#include "loader.hpp"

namespace ovs::config::detail {

namespace {

// Ranges: wide enough for any real deployment, narrow enough to catch a value
// in the wrong unit (seconds where milliseconds are meant, and the reverse).
constexpr long long second = 1000;
constexpr long long minute = 60 * second;
constexpr long long kib = 1024;
constexpr long long mib = 1024 * kib;

void read_mode(map_reader& top, admission_mode& mode)
{
    auto v = top.get("mode");
    if (!v) {
        return;
    }
    if (v->IsScalar() && v->Scalar() == "webhook") {
        mode = admission_mode::webhook;
    } else if (v->IsScalar() && v->Scalar() == "open") {
        mode = admission_mode::open;
    } else {
        top.context().fail("mode", line_of(*v), "webhook or open", describe_found(*v, false));
    }
}

// ome.edges: a list of { name, host, webrtc_publisher, llhls, probe_host };
// ports default to the origin's (read before), names are unique.
void read_edges(map_reader& ome_reader, ome_config& ome)
{
    auto& ctx = ome_reader.context();
    const auto v = ome_reader.get("edges");
    if (!v || v->IsNull()) {
        return;
    }
    const auto path = ome_reader.path_of("edges");
    if (!v->IsSequence()) {
        ctx.fail(path, line_of(*v), "a list of edges", describe_found(*v, false));
    }
    for (std::size_t i = 0; i < v->size(); ++i) {
        const auto at = path + "[" + std::to_string(i) + "]";
        const YAML::Node node = (*v)[i];
        if (!node.IsMap()) {
            ctx.fail(at,
                     line_of(node),
                     "an edge (a map with name and host)",
                     describe_found(node, false));
        }
        map_reader m(ctx, node, at, {"name", "host", "webrtc_publisher", "llhls", "probe_host"});
        for (const char* required : {"name", "host"}) {
            if (!m.get(required)) {
                ctx.fail(m.path_of(required),
                         line_of(node),
                         std::string("the edge's ") + required,
                         "nothing (it is required)");
            }
        }
        ome_edge e;
        e.webrtc_publisher = ome.webrtc_publisher;
        e.llhls = ome.llhls;
        m.text("name", e.name, room_id_text);
        m.text("host", e.host, host_text);
        m.tls_port_value("webrtc_publisher", e.webrtc_publisher);
        m.tls_port_value("llhls", e.llhls);
        m.text("probe_host", e.probe_host, optional_host_text);
        for (const auto& other : ome.edges) {
            if (other.name == e.name) {
                ctx.fail(m.path_of("name"),
                         line_of(node["name"]),
                         "an edge name not used by another edge",
                         quote(e.name));
            }
        }
        ome.edges.push_back(std::move(e));
    }
}

void read_ome(map_reader& top, ome_config& ome)
{
    auto m = top.child("ome",
                       {"host",
                        "api",
                        "vhost",
                        "app",
                        "version",
                        "rtmp_port",
                        "srt_port",
                        "webrtc_provider",
                        "webrtc_publisher",
                        "llhls",
                        "webhook_secret",
                        "edges"});
    m.text("host", ome.host, host_text);
    {
        auto api = m.child("api", {"host", "tls", "port", "access_token", "ca_file", "timeout_ms"});
        api.text("host", ome.api.host, optional_host_text);
        api.boolean("tls", ome.api.tls);
        api.port("port", ome.api.port, false);
        api.text("access_token", ome.api.access_token, secret_text, true);
        api.text("ca_file", ome.api.ca_file, any_text);
        api.duration("timeout_ms", ome.api.timeout, 100, minute);
    }
    m.text("vhost", ome.vhost, url_segment_text);
    m.text("app", ome.app, url_segment_text);
    m.text("version", ome.version, non_empty_text);
    m.port("rtmp_port", ome.rtmp_port, false);
    m.port("srt_port", ome.srt_port, false);
    m.tls_port_value("webrtc_provider", ome.webrtc_provider);
    m.tls_port_value("webrtc_publisher", ome.webrtc_publisher);
    m.tls_port_value("llhls", ome.llhls);
    m.text("webhook_secret", ome.webhook_secret, secret_text, true);
    read_edges(m, ome);
}

void read_limits(map_reader& room, ws_limits& limits)
{
    auto m = room.child("limits",
                        {"max_message_bytes",
                         "commands_per_second",
                         "max_connections_per_room",
                         "max_connections_total",
                         "send_queue_messages",
                         "max_http_connections",
                         "handshake_timeout_ms",
                         "idle_timeout_ms"});
    m.integer("max_message_bytes", limits.max_message_bytes, 256, mib);
    m.integer("commands_per_second", limits.commands_per_second, 1, 1000);
    m.integer("max_connections_per_room", limits.max_connections_per_room, 1, 1000000);
    m.integer("max_connections_total", limits.max_connections_total, 1, 1000000);
    m.integer("send_queue_messages", limits.send_queue_messages, 1, 65536);
    m.integer("max_http_connections", limits.max_http_connections, 1, 1000000);
    m.duration("handshake_timeout_ms", limits.handshake_timeout, 100, minute);
    m.duration("idle_timeout_ms", limits.idle_timeout, second, 60 * minute);
}

// room.gateways: a list of { address, port }, no two the same.
void read_gateways(map_reader& room_reader, std::vector<endpoint>& out)
{
    auto& ctx = room_reader.context();
    const auto v = room_reader.get("gateways");
    if (!v || v->IsNull()) {
        return;
    }
    const auto path = room_reader.path_of("gateways");
    if (!v->IsSequence()) {
        ctx.fail(path, line_of(*v), "a list of { address, port }", describe_found(*v, false));
    }
    for (std::size_t i = 0; i < v->size(); ++i) {
        const auto at = path + "[" + std::to_string(i) + "]";
        const YAML::Node node = (*v)[i];
        if (!node.IsMap() || !node["address"] || !node["port"]) {
            ctx.fail(at,
                     line_of(node),
                     "a gateway's link address (a map with address and port)",
                     describe_found(node, false));
        }
        map_reader m(ctx, node, at, {"address", "port"});
        endpoint e;
        m.text("address", e.address, host_text);
        m.port("port", e.port, false);
        for (const auto& other : out) {
            if (other.address == e.address && other.port == e.port) {
                ctx.fail(at, line_of(node), "a gateway not listed before", quote(e.address));
            }
        }
        out.push_back(std::move(e));
    }
}

void read_room_service(map_reader& top, room_service_config& room)
{
    auto m = top.child("room",
                       {"listen",
                        "metrics",
                        "web_root",
                        "allowed_origins",
                        "frame_ancestors",
                        "gateway",
                        "gateways",
                        "lease_ms",
                        "disconnect_grace_ms",
                        "presence_interval_ms",
                        "moderator_secret",
                        "limits",
                        "max_http_body_bytes",
                        "shutdown_timeout_ms",
                        "state_file"});
    m.endpoint_value("listen", room.listen, true);
    m.endpoint_value("metrics", room.metrics, true);
    m.text("web_root", room.web_root, non_empty_text);
    m.text_list("allowed_origins", room.allowed_origins, origin_text);
    m.text_list("frame_ancestors", room.frame_ancestors, origin_text);
    m.endpoint_value("gateway", room.gateway, false);
    read_gateways(m, room.gateways);
    m.duration("lease_ms", room.lease, second, 10 * minute);
    m.duration("disconnect_grace_ms", room.disconnect_grace, 0, 10 * minute);
    m.duration("presence_interval_ms", room.presence_interval, 10, 10 * second);
    m.text("moderator_secret", room.moderator_secret, secret_text, true);
    read_limits(m, room.limits);
    m.integer("max_http_body_bytes", room.max_http_body_bytes, 256, mib);
    m.duration("shutdown_timeout_ms", room.shutdown_timeout, 100, 5 * minute);
    m.text("state_file", room.state_file, any_text);
}

void read_gateway(map_reader& top, gateway_config& gw)
{
    auto m = top.child("gateway",
                       {"http",
                        "link",
                        "metrics",
                        "poll_interval_ms",
                        "poll_backoff_max_ms",
                        "admission_timeout_ms",
                        "max_webhook_body_bytes",
                        "max_http_connections",
                        "outputs_probe_interval_ms",
                        "outputs_timeout_ms"});
    m.endpoint_value("http", gw.http, true);
    m.endpoint_value("link", gw.link, true);
    m.endpoint_value("metrics", gw.metrics, true);
    m.duration("poll_interval_ms", gw.poll_interval, 100, minute);
    m.duration("poll_backoff_max_ms", gw.poll_backoff_max, 100, 10 * minute);
    // OME gives up on the webhook after 3 s; answering later is useless.
    m.duration("admission_timeout_ms", gw.admission_timeout, 10, 2900);
    m.integer("max_webhook_body_bytes", gw.max_webhook_body_bytes, kib, mib);
    m.integer("max_http_connections", gw.max_http_connections, 1, 1000000);
    // One stream-details request per starting stream per interval: more
    // often than 20/s buys nothing (players start in ~100 ms steps anyway).
    m.duration("outputs_probe_interval_ms", gw.outputs_probe_interval, 50, 5000);
    // A WebRTC input needs ~4 s; anything past two minutes is not coming.
    m.duration("outputs_timeout_ms", gw.outputs_timeout, 1000, 2 * minute);
}

void read_link(map_reader& top, link_config& link)
{
    auto m = top.child("link",
                       {"secret",
                        "handshake_timeout_ms",
                        "max_pending_handshakes",
                        "max_line_bytes",
                        "request_timeout_ms",
                        "heartbeat_interval_ms",
                        "heartbeat_timeout_ms",
                        "reconnect_min_ms",
                        "reconnect_max_ms"});
    m.text("secret", link.secret, secret_text, true);
    m.duration("handshake_timeout_ms", link.handshake_timeout, 100, minute);
    m.integer("max_pending_handshakes", link.max_pending_handshakes, 1, 1024);
    m.integer("max_line_bytes", link.max_line_bytes, kib, 16 * mib);
    m.duration("request_timeout_ms", link.request_timeout, 10, minute);
    m.duration("heartbeat_interval_ms", link.heartbeat_interval, 100, minute);
    m.duration("heartbeat_timeout_ms", link.heartbeat_timeout, 100, 10 * minute);
    m.duration("reconnect_min_ms", link.reconnect_min, 10, minute);
    m.duration("reconnect_max_ms", link.reconnect_max, 10, 10 * minute);
}

void read_store(map_reader& top, store_config& store)
{
    if (auto v = top.get("store")) {
        if (v->IsScalar() && v->Scalar() == "memory") {
            store.kind = store_kind::memory;
        } else if (v->IsScalar() && v->Scalar() == "redis") {
            store.kind = store_kind::redis;
        } else {
            top.context().fail("store", line_of(*v), "memory or redis", describe_found(*v, false));
        }
    }
    auto m = top.child("redis",
                       {"url",
                        "key_prefix",
                        "connect_timeout_ms",
                        "request_timeout_ms",
                        "reconnect_min_ms",
                        "reconnect_max_ms",
                        "heartbeat_ms",
                        "maintain_ms",
                        "log_events"});
    auto& r = store.redis;
    m.text("url", r.url, secret_text, true);
    m.text("key_prefix", r.key_prefix, stream_prefix_text);
    m.duration("connect_timeout_ms", r.connect_timeout, 100, minute);
    m.duration("request_timeout_ms", r.request_timeout, 10, minute);
    m.duration("reconnect_min_ms", r.reconnect_min, 10, minute);
    m.duration("reconnect_max_ms", r.reconnect_max, 10, 10 * minute);
    m.duration("heartbeat_ms", r.heartbeat, 100, minute);
    m.duration("maintain_ms", r.maintain, 100, minute);
    m.integer("log_events", r.log_events, 10, 1000000);
}

}  // namespace

void read_sections(map_reader& top, config& cfg)
{
    read_mode(top, cfg.mode);
    read_ome(top, cfg.ome);
    read_room_service(top, cfg.room);
    read_gateway(top, cfg.gateway);
    read_link(top, cfg.link);
    read_store(top, cfg.store);
}

}  // namespace ovs::config::detail
