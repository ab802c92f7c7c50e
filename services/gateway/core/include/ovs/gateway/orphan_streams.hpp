#pragma once
// Streams a restart left behind: a seat's stream that OME still has but no
// seat holds any more (its holder left, or its lease ended, while the gateway
// was away and the kick died with the old gateway process). The gateway asks
// the room which seat streams it holds (`seat_holds`) once it has OME's list,
// and kicks the rest of the seat streams OME has. Pure.

#include <set>
#include <string>
#include <vector>

namespace ovs::gateway {

// The streams to kick, in name order: in `in_ome` (what the gateway knows OME
// has), a configured seat's (`seat_streams`), not in `held` (the room's
// answer), and not admitted since the room was asked (`admitted_since`: a
// publisher the room let in after it answered holds its seat now).
std::vector<std::string> orphan_streams(const std::vector<std::string>& in_ome,
                                        const std::set<std::string>& seat_streams,
                                        const std::vector<std::string>& held,
                                        const std::set<std::string>& admitted_since);

}  // namespace ovs::gateway
