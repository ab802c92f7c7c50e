#include <ovs/link/handshake_slots.hpp>

#include <map>
#include <stdexcept>

namespace ovs::link {

std::size_t choose_eviction(const std::vector<pending_handshake>& pending)
{
    if (pending.empty()) throw std::invalid_argument("choose_eviction: nothing pending");
    std::map<std::string, std::size_t> per_address;
    std::size_t most = 0;
    for (const auto& p : pending) most = std::max(most, ++per_address[p.address]);
    std::size_t chosen = pending.size();
    for (std::size_t i = 0; i < pending.size(); ++i) {
        if (per_address[pending[i].address] != most) continue;
        if (chosen == pending.size() || pending[i].started < pending[chosen].started) chosen = i;
    }
    return chosen;
}

}  // namespace ovs::link
