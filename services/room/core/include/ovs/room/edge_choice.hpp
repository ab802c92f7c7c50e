#pragma once
// Which OME edge a viewer plays from: rendezvous (highest random weight)
// hashing of the viewer's key over the names of the edges in rotation. Pure.
//
// - Stable: the same viewer gets the same edge for as long as that edge is
//   in rotation, on every room replica (no shared state needed).
// - Spread: keys spread evenly over the edges.
// - Minimal movement: when an edge is added, only the viewers it wins move
//   (to it); when one is removed, only its viewers move, spread over the rest.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ovs::room {

// The index in `edges` of the viewer's edge; nullopt when `edges` is empty.
std::optional<std::size_t> pick_edge(std::string_view viewer_key,
                                     const std::vector<std::string>& edges);

// The weight of (viewer, edge): a 64-bit hash of both (FNV-1a, then a
// SplitMix64 finaliser), the same on every platform and every run.
std::uint64_t edge_weight(std::string_view viewer_key, std::string_view edge);

}  // namespace ovs::room
