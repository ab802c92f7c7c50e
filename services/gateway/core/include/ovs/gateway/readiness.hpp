#pragma once
// Whether the gateway can do its job, from what it knows. Its job: answer
// OME's webhooks and keep OME's stream list in view. So it is ready once its
// first poll of OME has ended, with an answer or with a failure (it then
// backs off and tries again), and stays ready through OME outages and
// without the room service's link: it refuses every publisher then, which
// is an answer (fail closed). Waiting for the link would be a cycle: the room
// service reaches the gateway through a Service that routes only to ready
// pods. What works less well meanwhile is listed as `degraded`.

#include <ovs/gateway/poll_policy.hpp>

#include <string>
#include <vector>

namespace ovs::gateway {

struct gateway_readiness {
    std::vector<std::string> not_ready_because;  // empty = ready
    std::vector<std::string> degraded;
};

gateway_readiness readiness_of(const ome_status& ome, bool room_linked);

}  // namespace ovs::gateway
