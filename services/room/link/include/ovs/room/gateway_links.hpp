#pragma once
// The room service's links to every gateway (room.gateways; issue 12): one
// gateway_link per gateway, so each gateway has a link to every room
// replica and can answer any webhook on its own (proto/internal.md,
// "Several gateways").
//
//   ovs::room::gateway_links links(io.get_executor(), server, cfg);
//   links.start();
//   ...
//   links.stop();
//
// With one gateway this is exactly one gateway_link. With several:
// - Events from each are applied (the store makes repeats harmless: the
//   same stream up twice is one change).
// - A kick goes to every gateway, each keeping it for later while its link
//   is down: any one of them ends the stream in OME, and a kick of a stream
//   OME no longer has is done.
// - The media state turns stale only when no gateway link is up.
// - The link probe (/readyz's body, ovs_room_gateway_links_up) counts the
//   links that are up.

#include <ovs/config/config.hpp>
#include <ovs/link/link_options.hpp>
#include <ovs/net/net.hpp>
#include <ovs/room/gateway_link.hpp>
#include <ovs/room/room_server.hpp>

#include <cstddef>
#include <memory>
#include <vector>

namespace ovs::room {

class gateway_links {
public:
    // config::gateway_endpoints(cfg.room) says which gateways.
    gateway_links(asio::any_io_executor ex,
                  room_server& server,
                  const config::config& cfg,
                  link::logger log = link::stderr_logger());
    ~gateway_links();
    gateway_links(const gateway_links&) = delete;
    gateway_links& operator=(const gateway_links&) = delete;

    void start();
    void stop();
    std::size_t connected() const;  // links up

private:
    room_server& server_;
    std::vector<std::unique_ptr<gateway_link>> links_;
    bool grouped_ = false;
    bool started_ = false;
};

}  // namespace ovs::room
