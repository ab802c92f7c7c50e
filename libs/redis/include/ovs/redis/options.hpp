#pragma once
// Settings of the Redis client (connection, client, subscriber).

#include <ovs/redis/redis_url.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ovs::redis {

using millis = std::chrono::milliseconds;

// Receives one log line. Never given the password or command arguments.
using logger = std::function<void(std::string_view line)>;

struct options {
    server_address server;
    millis connect_timeout{2000};  // resolve + TCP connect + AUTH/SELECT
    // A request not answered within this closes the connection (RESP has no
    // request ids, so a late reply cannot be told from the next one's).
    millis request_timeout{1000};
    millis reconnect_min{100};  // backoff between attempts, full jitter
    millis reconnect_max{2000};
    // An idle connection sends PING this often, so a dead server or a
    // half-open socket is noticed within ping_interval + request_timeout.
    millis ping_interval{1000};
    std::size_t max_reply_bytes = 64 * 1024 * 1024;  // unparsed bytes of one reply
    std::size_t max_pending = 100000;                // requests in flight on one connection
    std::string client_name;                // CLIENT SETNAME (for CLIENT LIST); may be empty
    logger log;                             // may be empty
    std::optional<std::uint64_t> rng_seed;  // reconnect jitter; empty = random_device
};

}  // namespace ovs::redis
