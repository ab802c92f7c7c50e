#include <ovs/gateway/readiness.hpp>

namespace ovs::gateway {

gateway_readiness readiness_of(const ome_status& ome, bool room_linked)
{
    gateway_readiness r;
    if (!ome.reachable) {
        // Before the first poll ends it does not know what OME streams, so
        // webhooks for closing streams and kicks would act on nothing.
        r.not_ready_because.emplace_back("OME not polled yet");
    } else if (!*ome.reachable) {
        r.degraded.push_back("OME unreachable, backing off (failed polls: " +
                             std::to_string(ome.consecutive_failures) + "): " + ome.last_error);
    }
    if (!room_linked) {
        r.degraded.emplace_back("no room service link: every publisher is refused");
    }
    return r;
}

}  // namespace ovs::gateway
