#include <ovs/config/config.hpp>

#include <sstream>

namespace ovs::config {

namespace {

// host:port, with IPv6 literals in brackets.
std::string host_port(const std::string& host, std::uint16_t port)
{
    bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string show(const endpoint& ep)
{
    return host_port(ep.address, ep.port);
}

std::string show(const tls_port& p)
{
    return std::to_string(p.port) + (p.tls ? " (tls)" : "");
}

std::string show(millis d)
{
    return std::to_string(d.count()) + " ms";
}

// Secrets are only ever reported as present or absent.
const char* presence(const std::string& secret)
{
    return secret.empty() ? "(not set)" : "(set)";
}

}  // namespace

std::string describe(const config& cfg)
{
    std::ostringstream out;
    const auto& ome = cfg.ome;
    const auto& room = cfg.room;
    const auto& lim = room.limits;
    const auto& gw = cfg.gateway;
    const auto& link = cfg.link;

    out << "config from " << (cfg.source.empty() ? "(defaults)" : cfg.source) << "\n";
    out << "  mode: " << (cfg.mode == admission_mode::webhook ? "webhook" : "open") << "\n";
    out << "  ome: host " << ome.host << ", vhost " << ome.vhost << ", app " << ome.app
        << ", version " << ome.version << ", rtmp " << ome.rtmp_port << ", srt " << ome.srt_port
        << ", webrtc_provider " << show(ome.webrtc_provider) << ", webrtc_publisher "
        << show(ome.webrtc_publisher) << ", llhls " << show(ome.llhls) << ", webhook_secret "
        << presence(ome.webhook_secret) << "\n";
    out << "  ome.api: " << (ome.api.tls ? "https://" : "http://")
        << host_port(api_host(ome), ome.api.port) << ", access_token "
        << presence(ome.api.access_token) << ", ca_file "
        << (ome.api.ca_file.empty() ? "(system store)" : ome.api.ca_file) << ", timeout "
        << show(ome.api.timeout) << "\n";
    for (const auto& e : ome.edges) {
        out << "  ome.edge " << e.name << ": host " << e.host << ", webrtc_publisher "
            << show(e.webrtc_publisher) << ", llhls " << show(e.llhls) << ", probe_host "
            << (e.probe_host.empty() ? e.host : e.probe_host) << "\n";
    }

    // run.sh reads "listen" and "web_root" from the start of this line.
    out << "  room: listen " << show(room.listen) << ", web_root " << room.web_root << ", metrics "
        << show(room.metrics) << ", allowed_origins ";
    if (room.allowed_origins.empty()) {
        out << "(same origin)";
    }
    for (std::size_t i = 0; i < room.allowed_origins.size(); ++i) {
        out << (i ? " " : "") << room.allowed_origins[i];
    }
    out << ", frame_ancestors ";
    if (room.frame_ancestors.empty()) {
        out << "(none)";
    }
    for (std::size_t i = 0; i < room.frame_ancestors.size(); ++i) {
        out << (i ? " " : "") << room.frame_ancestors[i];
    }
    out << ", gateway";
    for (const auto& g : gateway_endpoints(room)) out << " " << show(g);
    out << ", lease " << show(room.lease) << ", disconnect_grace " << show(room.disconnect_grace)
        << ", presence_interval " << show(room.presence_interval) << ", moderator_secret "
        << presence(room.moderator_secret) << ", max_http_body " << room.max_http_body_bytes
        << " B, shutdown_timeout " << show(room.shutdown_timeout) << ", state_file "
        << (room.state_file.empty() ? std::string("(none)") : room.state_file) << "\n";
    out << "  room.limits: max_message " << lim.max_message_bytes << " B, commands "
        << lim.commands_per_second << "/s, connections " << lim.max_connections_per_room
        << " per room, " << lim.max_connections_total << " total, send_queue "
        << lim.send_queue_messages << " messages, http_connections " << lim.max_http_connections
        << ", handshake_timeout " << show(lim.handshake_timeout) << ", idle_timeout "
        << show(lim.idle_timeout) << "\n";

    out << "  gateway: http " << show(gw.http) << ", link " << show(gw.link) << ", metrics "
        << show(gw.metrics) << ", poll " << show(gw.poll_interval) << " (backoff up to "
        << show(gw.poll_backoff_max) << "), admission_timeout " << show(gw.admission_timeout)
        << ", max_webhook_body " << gw.max_webhook_body_bytes << " B, http_connections "
        << gw.max_http_connections << ", outputs probed every " << show(gw.outputs_probe_interval)
        << " (failed after " << show(gw.outputs_timeout) << ")\n";
    out << "  link: secret " << presence(link.secret) << ", handshake_timeout "
        << show(link.handshake_timeout) << ", max_pending_handshakes "
        << link.max_pending_handshakes << ", max_line " << link.max_line_bytes
        << " B, request_timeout " << show(link.request_timeout) << ", heartbeat "
        << show(link.heartbeat_interval) << " (dead after " << show(link.heartbeat_timeout)
        << "), reconnect " << show(link.reconnect_min) << " to " << show(link.reconnect_max)
        << "\n";
    const auto& redis = cfg.store.redis;
    if (cfg.store.kind == store_kind::memory) {
        out << "  store: memory (this process only)\n";
    } else {
        // The URL may hold a password: only whether it is set.
        out << "  store: redis, url " << presence(redis.url) << ", key_prefix " << redis.key_prefix
            << ", connect_timeout " << show(redis.connect_timeout) << ", request_timeout "
            << show(redis.request_timeout) << ", reconnect " << show(redis.reconnect_min) << " to "
            << show(redis.reconnect_max) << ", heartbeat " << show(redis.heartbeat) << ", maintain "
            << show(redis.maintain) << ", log_events " << redis.log_events << "\n";
    }

    out << "  rooms (" << cfg.rooms.size() << "):";
    for (const auto& r : cfg.rooms) {
        out << "\n    " << r.id << " \"" << r.title << "\": " << r.seats << " seats, streams "
            << stream_name(r, 0) << " .. " << stream_name(r, r.seats == 0 ? 0 : r.seats - 1);
    }
    out << "\n";
    return out.str();
}

}  // namespace ovs::config
