#pragma once
// Which OME edges (ome.edges) viewers are sent to: the gateway probes each
// edge every poll interval and records whether it answered. Pure.
//
// - An edge starts out of rotation: viewers go to an edge only after it
//   answered once (the first probe runs at start).
// - It leaves after `failures_to_leave` probes in a row went unanswered (one
//   lost probe on a busy network does not move its viewers), and comes back
//   with the next answer.

#include <cstddef>
#include <string>
#include <vector>

namespace ovs::gateway {

class edge_rotation {
public:
    explicit edge_rotation(std::vector<std::string> names, unsigned failures_to_leave = 2);

    // One probe's outcome; true when the edge entered or left rotation.
    // Unknown names are ignored.
    bool record(const std::string& name, bool answered);

    // The edges in rotation, in configuration order.
    std::vector<std::string> in_rotation() const;
    bool in(const std::string& name) const;

private:
    struct edge {
        std::string name;
        bool in = false;
        unsigned failures = 0;  // unanswered probes in a row
    };
    std::vector<edge> edges_;
    unsigned failures_to_leave_;
};

}  // namespace ovs::gateway
