#pragma once
// Settings shared by link_connection, link_server and link_client.

#include <ovs/config/config.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ovs::link {

// Receives one log line (no trailing newline). Never given secrets: the link
// logs reasons, peers and message types, not message contents.
using logger = std::function<void(std::string_view line)>;

// Lines "link: ..." to the process's logger (ovs/log).
logger stderr_logger();

struct link_options {
    config::link_config limits;          // max_line_bytes, timeouts, heartbeat, reconnect bounds
    std::string role;                    // this side, sent in hello: "room" or "gateway"
    std::string peer_role;               // the role the peer must announce; empty accepts any
    std::string software = "ovenspace";  // sent in hello, for the peer's logs
    // Outgoing messages waiting for the socket. A peer that falls this far
    // behind is disconnected (it resynchronises from the snapshot sent on
    // reconnect) rather than letting memory grow.
    std::size_t max_queued_messages = 4096;
    logger log = stderr_logger();
    // Seed for the reconnect jitter (link_client); empty = std::random_device.
    std::optional<std::uint64_t> rng_seed;
};

}  // namespace ovs::link
