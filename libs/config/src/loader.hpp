#pragma once
// The steps of one load, in order: read the sections (types, ranges, unknown
// keys), read the rooms, check relations between settings, then (after the
// environment) check the required secrets.

#include "yaml_reader.hpp"

#include <ovs/config/config.hpp>

#include <yaml-cpp/yaml.h>

namespace ovs::config::detail {

// Everything except `rooms`; `top` is the reader of the whole document.
void read_sections(map_reader& top, config& cfg);

// `rooms`: at least one, ids unique, stream names unique across rooms.
void read_rooms(map_reader& top, std::vector<room_def>& rooms);

// Settings that must agree with each other (timeouts vs intervals, min vs max).
void check_relations(const load_context& ctx, const config& cfg);

// The secrets `who` needs, which must be set once the environment has been
// applied (link.secret also long enough).
void check_required_secrets(const load_context& ctx, const config& cfg, secrets_for who);

}  // namespace ovs::config::detail
