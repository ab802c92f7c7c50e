#pragma once
// The room service's HTTP routing, request in, response out:
//
//   GET/HEAD /healthz           {"status":"ok"}
//   GET/HEAD /readyz            readiness() below, as net::readiness_response
//   GET/HEAD /metrics           404: served on the metrics listener (room.metrics)
//   GET/HEAD /api/rooms         every room, its seats by state and viewers
//   GET/HEAD /api/rooms/<id>    one room's seats, media state, playback URLs
//   GET/HEAD /ws                426 (a WebSocket lives there)
//   GET/HEAD anything else      the page and its assets (static_files)
//   other methods               405
//
// The upgrade itself (/ws) is room_http's, not a route.

#include "room_context.hpp"

#include <ovs/net/http_types.hpp>
#include <ovs/net/server.hpp>

namespace ovs::room {

// Ready while it accepts: the page, /api and WebSockets work with or without
// the gateway link (`linked`); without it the answer says it is degraded.
// Not ready once stopping, and while the seat store is unavailable (Redis
// unreachable: the service cannot change seats; the embedded store always
// is available).
net::readiness readiness(const net::server_status& server, bool linked, bool store_available);

net::reply route(const net::request& req,
                 const room_context& ctx,
                 const net::server_status& server,
                 bool linked);

}  // namespace ovs::room
