#include <ovs/gateway/edge_rotation.hpp>

#include <algorithm>

namespace ovs::gateway {

edge_rotation::edge_rotation(std::vector<std::string> names, unsigned failures_to_leave)
    : failures_to_leave_(std::max(1u, failures_to_leave))
{
    for (auto& n : names) edges_.push_back(edge{std::move(n)});
}

bool edge_rotation::record(const std::string& name, bool answered)
{
    const auto it =
        std::find_if(edges_.begin(), edges_.end(), [&](const edge& e) { return e.name == name; });
    if (it == edges_.end()) return false;
    if (answered) {
        it->failures = 0;
        const bool entered = !it->in;
        it->in = true;
        return entered;
    }
    ++it->failures;
    if (it->in && it->failures >= failures_to_leave_) {
        it->in = false;
        return true;
    }
    return false;
}

std::vector<std::string> edge_rotation::in_rotation() const
{
    std::vector<std::string> out;
    for (const auto& e : edges_) {
        if (e.in) out.push_back(e.name);
    }
    return out;
}

bool edge_rotation::in(const std::string& name) const
{
    return std::any_of(
        edges_.begin(), edges_.end(), [&](const edge& e) { return e.name == name && e.in; });
}

}  // namespace ovs::gateway
