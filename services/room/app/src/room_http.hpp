#pragma once
// The room service as libs/net sees it: plain requests go to the routes,
// upgrades on /ws (from an allowed Origin) become viewers.

#include "room_context.hpp"

#include <ovs/net/server.hpp>

#include <memory>

namespace ovs::room {

class room_http final : public net::http_service {
public:
    explicit room_http(std::shared_ptr<room_context> ctx) : ctx_(std::move(ctx)) {}

    asio::awaitable<net::reply> handle(net::request req, net::peer_info peer) override;
    net::upgrade_answer upgrade(const net::request& req, const net::peer_info& peer) override;

private:
    std::shared_ptr<room_context> ctx_;
};

}  // namespace ovs::room
