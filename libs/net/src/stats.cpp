#include <ovs/net/server.hpp>

#include <sstream>

namespace ovs::net {

std::string prometheus_text(const server_stats& s, std::string_view prefix)
{
    std::ostringstream out;
    auto one = [&](std::string_view name, const char* type, const char* help, std::uint64_t v) {
        out << "# HELP " << prefix << '_' << name << ' ' << help << '\n'
            << "# TYPE " << prefix << '_' << name << ' ' << type << '\n'
            << prefix << '_' << name << ' ' << v << '\n';
    };
    one("http_connections", "gauge", "Open plain HTTP connections", s.http_connections);
    one("http_connections_total", "counter", "HTTP connections accepted", s.http_connections_total);
    one("http_connections_refused_total",
        "counter",
        "Connections refused with 503 at the HTTP connection cap",
        s.http_connections_refused);
    one("http_requests_total", "counter", "HTTP requests read whole", s.http_requests);
    one("http_bad_requests_total",
        "counter",
        "Malformed requests answered 400",
        s.http_bad_requests);
    one("http_too_large_total",
        "counter",
        "Requests over the header or body limit (413, 431)",
        s.http_too_large);
    one("ws_connections",
        "gauge",
        "Open WebSocket connections (handshakes included)",
        s.ws_sessions);
    one("ws_connections_total", "counter", "WebSocket handshakes completed", s.ws_upgrades);
    one("ws_refused_full_total",
        "counter",
        "Upgrades refused with 503 at the WebSocket total",
        s.ws_refused_full);
    one("ws_dropped_slow_total",
        "counter",
        "WebSockets dropped because their send queue was full",
        s.ws_dropped_slow);
    one("ws_too_big_total",
        "counter",
        "WebSockets closed with 1009 for a message over the limit",
        s.ws_too_big);
    return out.str();
}

}  // namespace ovs::net
