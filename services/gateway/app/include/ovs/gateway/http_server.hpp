#pragma once
// A small HTTP/1.1 server for the gateway's own endpoints (OME's webhooks,
// health, metrics). Requests and responses are plain structs so that Beast
// stays inside the .cpp; the handler is a coroutine, because answering a
// webhook means asking the room service first.

#include <ovs/net/net.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ovs::gateway {

struct simple_request {
    std::string method;
    std::string target;
    std::string body;  // raw bytes, as received (signatures are over these)
    std::vector<std::pair<std::string, std::string>> headers;  // in arrival order
    std::string remote_address;
    std::uint16_t remote_port = 0;
    // First header of that name (case-insensitive), or nullptr.
    const std::string* header(std::string_view name) const;
};

struct simple_response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
};

using http_handler = std::function<asio::awaitable<simple_response>(simple_request)>;

struct http_server_limits {
    std::size_t max_body_bytes = 16384;
    std::size_t max_header_bytes = 8192;
    std::chrono::milliseconds read_timeout{10000};
};

class http_server {
public:
    http_server(asio::any_io_executor ex, http_server_limits limits, http_handler handler);
    ~http_server();

    // Binds and starts accepting; throws boost::system::system_error when the
    // address cannot be bound. Returns the bound port (useful with port 0).
    std::uint16_t listen(const std::string& address, std::uint16_t port);
    // Stops accepting and closes open connections.
    void stop();

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace ovs::gateway
