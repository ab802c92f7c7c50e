#pragma once
// The room service's own counters and their Prometheus text form (the
// server's connection and request counters come from libs/net).

#include <cstdint>
#include <map>
#include <string>

namespace ovs::room {

struct metrics {
    std::map<std::string, std::uint64_t> ws_refused;  // by reason (the room's own refusals)
    std::uint64_t messages_in = 0;                    // frames received from browsers
    std::uint64_t messages_out = 0;                   // frames queued to browsers (per receiver)
    std::uint64_t broadcasts = 0;                     // events serialized once for a room
    std::uint64_t claims = 0;                         // claims and resumes granted
    std::uint64_t releases = 0;
    std::map<std::string, std::uint64_t> rejections;  // by code
    std::uint64_t kicks = 0;
    std::uint64_t resyncs = 0;  // rooms the store reloaded (snapshots resent to viewers)
};

struct gauges {
    std::size_t seats_free = 0;
    std::size_t seats_reserved = 0;
    std::size_t seats_starting = 0;
    std::size_t seats_live = 0;
    std::size_t seats_failed = 0;
    std::size_t seats_ending = 0;  // released, their old stream still in OME
    std::map<std::string, std::size_t> viewers_by_room;
    bool media_reachable = false;
    bool store_available = true;       // seats can change (Redis reachable, or the embedded store)
    std::size_t gateway_links_up = 0;  // links to gateways with a completed hello
};

std::string prometheus_text(const metrics& m, const gauges& g);

}  // namespace ovs::room
