#include <ovs/room/edge_choice.hpp>

namespace ovs::room {

std::uint64_t edge_weight(std::string_view viewer_key, std::string_view edge)
{
    std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a offset basis
    const auto mix = [&h](std::string_view s) {
        for (const unsigned char c : s) {
            h ^= c;
            h *= 0x100000001b3ull;  // FNV prime
        }
    };
    mix(viewer_key);
    h ^= 0xff;  // separator: ("ab","c") and ("a","bc") differ
    h *= 0x100000001b3ull;
    mix(edge);
    // SplitMix64's finaliser: FNV alone leaves the high bits poorly mixed.
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

std::optional<std::size_t> pick_edge(std::string_view viewer_key,
                                     const std::vector<std::string>& edges)
{
    std::optional<std::size_t> best;
    std::uint64_t best_weight = 0;
    for (std::size_t i = 0; i < edges.size(); ++i) {
        const auto w = edge_weight(viewer_key, edges[i]);
        // Ties (vanishingly rare) go to the smaller name, so every replica agrees.
        if (!best || w > best_weight || (w == best_weight && edges[i] < edges[*best])) {
            best = i;
            best_weight = w;
        }
    }
    return best;
}

}  // namespace ovs::room
