#pragma once
// HTTP(S) client for OME's REST API: Basic auth as OME wants it, keep-alive,
// a deadline on every call, certificate verification on for https. It moves
// bytes only; what the bytes mean is ome_api's job (gateway core).

#include <ovs/config/config.hpp>
#include <ovs/net/net.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <string>

namespace ovs::gateway {

enum class http_method { get, del };

struct http_result {
    unsigned status = 0;  // 0: no HTTP answer at all (see transport_error)
    std::string body;
    std::string transport_error;  // connect refused, timeout, TLS failure, ...
    bool ok() const { return status != 0; }
};

class ome_http_client {
public:
    // `api` gives host/port/TLS/CA/timeout; `authorization` is the full value
    // of the Authorization header (never logged).
    ome_http_client(asio::any_io_executor ex,
                    std::string host,
                    const config::ome_config::api_t& api,
                    std::string authorization);
    ~ome_http_client();
    ome_http_client(const ome_http_client&) = delete;
    ome_http_client& operator=(const ome_http_client&) = delete;

    // One request; never throws for network trouble: the result says what
    // happened. Concurrent calls are fine (each takes its own connection when
    // the kept-alive one is busy).
    asio::awaitable<http_result> request(http_method method, std::string target);

    // Drop kept-alive connections (e.g. on shutdown).
    void close();

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace ovs::gateway
