#pragma once
// A one-shot HTTP/1.1 client for the tests: the services' /healthz,
// /readyz, /metrics, the gateway's webhook endpoint and the stand-in's
// control interface. Every request has a deadline; a timeout or a refused
// connection is a result (status 0), not an exception.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace ovs::integration {

struct http_result {
    int status = 0;  // 0: no answer (connection refused, timeout, I/O error)
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string error;                           // why status is 0
};

struct http_call {
    std::string method = "GET";
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string target = "/";
    std::string body;
    std::string content_type = "application/json";
    std::map<std::string, std::string> headers;
    std::chrono::milliseconds timeout{3000};
};

http_result http_request(const http_call& call);

inline http_result http_get(std::uint16_t port,
                            const std::string& target,
                            std::chrono::milliseconds timeout = std::chrono::milliseconds(3000))
{
    http_call c;
    c.port = port;
    c.target = target;
    c.timeout = timeout;
    return http_request(c);
}

inline http_result http_post(std::uint16_t port,
                             const std::string& target,
                             const std::string& body,
                             std::chrono::milliseconds timeout = std::chrono::milliseconds(5000))
{
    http_call c;
    c.method = "POST";
    c.port = port;
    c.target = target;
    c.body = body;
    c.timeout = timeout;
    return http_request(c);
}

// The value of a Prometheus sample `name{labels}` in /metrics text: the sum
// over every sample of `name` whose label set contains all of
// `label_filter` (e.g. {kind="streams"} written as `kind="streams"`).
// nullopt when no sample matches.
std::optional<double> metric_sum(const std::string& metrics_text,
                                 const std::string& name,
                                 const std::string& label_filter = "");

}  // namespace ovs::integration
