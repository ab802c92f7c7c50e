#include <ovs/gateway/orphan_streams.hpp>

namespace ovs::gateway {

std::vector<std::string> orphan_streams(const std::vector<std::string>& in_ome,
                                        const std::set<std::string>& seat_streams,
                                        const std::vector<std::string>& held,
                                        const std::set<std::string>& admitted_since)
{
    const std::set<std::string> holds(held.begin(), held.end());
    const std::set<std::string> candidates(in_ome.begin(), in_ome.end());
    std::vector<std::string> out;
    for (const auto& stream : candidates) {
        // Not a seat's: another tool's stream on a shared OME, never ours to end.
        if (seat_streams.count(stream) == 0) continue;
        if (holds.count(stream) != 0 || admitted_since.count(stream) != 0) continue;
        out.push_back(stream);
    }
    return out;
}

}  // namespace ovs::gateway
