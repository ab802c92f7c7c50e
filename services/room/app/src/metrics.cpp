#include "metrics.hpp"

#include <ovs/util/prometheus.hpp>

namespace ovs::room {

std::string prometheus_text(const metrics& m, const gauges& g)
{
    // One writer for every service (libs/util): label values are escaped
    // there, so a room id or a reason can never break a line.
    util::prometheus_text out;
    out.family("ovs_room_ws_refused_total", "counter", "WebSocket connections refused, by reason");
    for (const auto& [reason, n] : m.ws_refused) {
        out.sample("ovs_room_ws_refused_total", {{"reason", reason}}, n);
    }
    out.single(
        "ovs_room_messages_in_total", "counter", "Frames received from browsers", m.messages_in);
    out.single(
        "ovs_room_messages_out_total", "counter", "Frames queued to browsers", m.messages_out);
    out.single(
        "ovs_room_broadcasts_total", "counter", "Room events serialized for fan-out", m.broadcasts);
    out.single("ovs_room_claims_total", "counter", "Seat claims and resumes granted", m.claims);
    out.single("ovs_room_releases_total", "counter", "Seat releases granted", m.releases);
    out.family("ovs_room_rejections_total", "counter", "Commands refused, by reason");
    for (const auto& [reason, n] : m.rejections) {
        out.sample("ovs_room_rejections_total", {{"reason", reason}}, n);
    }
    out.single("ovs_room_kicks_total", "counter", "Stream kicks sent to the gateway", m.kicks);
    out.single("ovs_room_resyncs_total",
               "counter",
               "Rooms the seat store reloaded; their viewers got a fresh snapshot",
               m.resyncs);
    out.family("ovs_room_seats", "gauge", "Seats by state, over all rooms");
    const std::pair<const char*, std::size_t> seats[] = {{"free", g.seats_free},
                                                         {"reserved", g.seats_reserved},
                                                         {"starting", g.seats_starting},
                                                         {"live", g.seats_live},
                                                         {"failed", g.seats_failed},
                                                         {"ending", g.seats_ending}};
    for (const auto& [state, n] : seats) {
        out.sample("ovs_room_seats", {{"state", state}}, std::uint64_t{n});
    }
    out.family("ovs_room_viewers", "gauge", "Connections per room");
    for (const auto& [room, n] : g.viewers_by_room) {
        out.sample("ovs_room_viewers", {{"room", room}}, std::uint64_t{n});
    }
    out.single("ovs_room_media_reachable",
               "gauge",
               "1 when the gateway reports OME reachable",
               g.media_reachable ? 1 : 0);
    out.single("ovs_room_store_available",
               "gauge",
               "1 when seats can change (the embedded store, or Redis reachable)",
               g.store_available ? 1 : 0);
    out.single("ovs_room_gateway_links_up",
               "gauge",
               "Gateway links with a completed hello (room.gateways: one per gateway)",
               std::uint64_t{g.gateway_links_up});
    return out.take();
}

}  // namespace ovs::room
