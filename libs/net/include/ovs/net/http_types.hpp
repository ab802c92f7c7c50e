#pragma once
// What a service's routing function takes and gives back: a parsed request
// in, a response out (a string or a file body). The server (server.hpp) owns
// everything around it: limits, keep-alive, HEAD, the Server header, errors.

#include <ovs/net/net.hpp>

#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ovs::net {

using request = http::request<http::string_body>;
using string_response = http::response<http::string_body>;
// Static files stream from disk in small chunks: a large asset sent to many
// (or slow) clients costs no memory per client beyond Beast's buffer.
using file_response = http::response<http::file_body>;
using reply = std::variant<string_response, file_response>;

// Who is on the other end of a connection.
struct peer_info {
    std::string address;
    std::uint16_t port = 0;
};

// A response with a body and its Content-Type. The server sets the HTTP
// version, Connection, Server and (when absent) Content-Length.
string_response make_response(http::status status, std::string_view content_type, std::string body);

// {"error":{"code":"...","message":"..."}}, the error body of every service,
// with Cache-Control: no-store. `code` and `message` are ours, never echoed
// client input.
string_response error_response(http::status status,
                               std::string_view code,
                               std::string_view message);

// Whether a service can do its own job (never whether its peers are up:
// a readiness that waits for a peer reached through a ready-only Service is
// a cycle, docs/deploy.md). `degraded`: what works less well meanwhile.
struct readiness {
    std::vector<std::string> not_ready_because;
    std::vector<std::string> degraded;
};

// The health format of every service, with Cache-Control: no-store:
//   /healthz  200 {"status":"ok"}                (the process serves)
//   /readyz   200 {"ready":true}                  (it can do its job)
//             200 {"ready":true,"degraded":"no gateway link: ..."}
//             503 {"ready":false,"reason":"shutting down"}
string_response health_response();
string_response readiness_response(const readiness& r);

// Prometheus text exposition.
inline constexpr std::string_view prometheus_content_type =
    "text/plain; version=0.0.4; charset=utf-8";

// 405 with an Allow header.
string_response method_not_allowed(std::string_view allow);

// The status of either kind of reply.
http::status status_of(const reply& r);

}  // namespace ovs::net
