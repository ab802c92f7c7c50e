#pragma once
// The steps of one load, in order: read the document by its schema (types,
// ranges, unknown keys; schema.hpp), the rooms last, check relations between
// settings, then (after the environment) check the required secrets.

#include "yaml_reader.hpp"

#include <ovs/config/config.hpp>

#include <yaml-cpp/yaml.h>

namespace ovs::config::detail {

// ome.edges (after the origin's playback ports, their defaults) and
// room.gateways: lists of maps, each entry checked against the others.
void read_edges(map_reader& ome_reader, ome_config& ome);
void read_gateways(map_reader& room_reader, std::vector<endpoint>& out);

// `rooms`: at least one, ids unique, stream names unique across rooms.
void read_rooms(map_reader& top, std::vector<room_def>& rooms);

// Settings that must agree with each other (timeouts vs intervals, min vs max).
void check_relations(const load_context& ctx, const config& cfg);

// The secrets `who` needs, which must be set once the environment has been
// applied (link.secret also long enough).
void check_required_secrets(const load_context& ctx, const config& cfg, secrets_for who);

}  // namespace ovs::config::detail
