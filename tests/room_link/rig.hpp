#pragma once
// One room service with its gateway link, and the fake gateway it talks to,
// on 127.0.0.1 with free ports: the set-up every loopback test of the room's
// link shares.

#include "support.hpp"

#include <ovs/room/gateway_link.hpp>
#include <ovs/room/room_server.hpp>

#include <boost/asio/io_context.hpp>

#include <optional>
#include <string>

namespace ovs::room::link_testing {

// One room "main" of 4 seats, short link timings, never a default port.
config::config test_config();
// Publishing and playback templates as a gateway would send them.
proto::endpoints test_endpoints();
// A stream published over RTMP (720p30 H.264).
proto::stream_info rtmp_stream(std::string name);

struct rig {
    // The fake gateway greets with stream0 published, the endpoints and OME
    // reachable; a test may change `gw.greeting` before the link connects.
    explicit rig(config::config c = test_config());

    // Runs `test` (at most 20 s), then stops everything; the io_context must
    // run out of work.
    void run(asio::awaitable<void> test);

    asio::io_context io;
    config::config cfg;
    fake_gateway gw;
    std::optional<room_server> server;
    std::optional<gateway_link> link;
    std::uint16_t port = 0;
};

}  // namespace ovs::room::link_testing
