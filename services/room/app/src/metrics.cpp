#include "metrics.hpp"

#include <sstream>

namespace ovs::room {

namespace {
void family(std::ostringstream& out, const char* name, const char* type, const char* help)
{
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}
}  // namespace

std::string prometheus_text(const metrics& m, const gauges& g)
{
    std::ostringstream out;
    auto single = [&](const char* name, const char* type, const char* help, auto value) {
        family(out, name, type, help);
        out << name << ' ' << value << '\n';
    };
    family(out, "ovs_room_ws_refused_total", "counter", "WebSocket connections refused, by reason");
    for (const auto& [reason, n] : m.ws_refused) {
        out << "ovs_room_ws_refused_total{reason=\"" << reason << "\"} " << n << '\n';
    }
    single("ovs_room_messages_in_total", "counter", "Frames received from browsers", m.messages_in);
    single("ovs_room_messages_out_total", "counter", "Frames queued to browsers", m.messages_out);
    single(
        "ovs_room_broadcasts_total", "counter", "Room events serialized for fan-out", m.broadcasts);
    single("ovs_room_claims_total", "counter", "Seat claims and resumes granted", m.claims);
    single("ovs_room_releases_total", "counter", "Seat releases granted", m.releases);
    family(out, "ovs_room_rejections_total", "counter", "Commands refused, by reason");
    for (const auto& [reason, n] : m.rejections) {
        out << "ovs_room_rejections_total{reason=\"" << reason << "\"} " << n << '\n';
    }
    single("ovs_room_kicks_total", "counter", "Stream kicks sent to the gateway", m.kicks);
    single("ovs_room_resyncs_total",
           "counter",
           "Rooms the seat store reloaded; their viewers got a fresh snapshot",
           m.resyncs);
    family(out, "ovs_room_seats", "gauge", "Seats by state, over all rooms");
    out << "ovs_room_seats{state=\"free\"} " << g.seats_free << '\n';
    out << "ovs_room_seats{state=\"reserved\"} " << g.seats_reserved << '\n';
    out << "ovs_room_seats{state=\"starting\"} " << g.seats_starting << '\n';
    out << "ovs_room_seats{state=\"live\"} " << g.seats_live << '\n';
    out << "ovs_room_seats{state=\"failed\"} " << g.seats_failed << '\n';
    out << "ovs_room_seats{state=\"ending\"} " << g.seats_ending << '\n';
    family(out, "ovs_room_viewers", "gauge", "Connections per room");
    for (const auto& [room, n] : g.viewers_by_room) {
        out << "ovs_room_viewers{room=\"" << room << "\"} " << n << '\n';
    }
    single("ovs_room_media_reachable",
           "gauge",
           "1 when the gateway reports OME reachable",
           g.media_reachable ? 1 : 0);
    single("ovs_room_store_available",
           "gauge",
           "1 when seats can change (the embedded store, or Redis reachable)",
           g.store_available ? 1 : 0);
    single("ovs_room_gateway_links_up",
           "gauge",
           "Gateway links with a completed hello (room.gateways: one per gateway)",
           g.gateway_links_up);
    return out.str();
}

}  // namespace ovs::room
