#pragma once
// What the gateway tells a room service that just linked, besides the
// endpoints (which come from the config and need no OME): only what it
// knows from OME since it started. The room replaces its view with what it
// is sent (a `streams` list is authoritative: seats missing from it go down),
// so an empty list or an "unreachable" from a gateway that has not asked OME
// yet would take down every live seat until the first poll, and viewers
// would see them blink. Sent nothing, the room keeps its seats as they are.

namespace ovs::gateway {

struct link_greeting {
    bool media_status = false;  // send media_status
    bool streams = false;       // send the streams snapshot (and viewer counts)
    bool operator==(const link_greeting&) const = default;
};

// `ome_polled`: a poll of OME has ended (either way) since the gateway
// started; `list_seen`: a whole good poll (list, details, what went down)
// is in the gateway's view.
inline link_greeting plan_greeting(bool ome_polled, bool list_seen)
{
    // A failed first poll is authoritative about reachability (OME is
    // down), not about the streams: the room keeps them, marked stale.
    return link_greeting{ome_polled || list_seen, list_seen};
}

}  // namespace ovs::gateway
