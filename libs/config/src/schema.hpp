#pragma once
// The config schema: every key of deploy/ovenspace.yaml written once, with
// its type, range or shape, one line of documentation, and (through a
// pointer to its struct member) its default, which is the member's
// initializer in config.hpp. The loader reads, checks and reports errors by
// walking it; describe() prints it; the environment overrides come from it;
// tests/config/documented_defaults_test.cpp checks the shipped file against it.

#include "yaml_reader.hpp"

#include <ovs/config/config.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ovs::config::detail {

// Which service reads a key (for secrets: keeps in memory, and takes from
// the environment). Least privilege: a service drops the others' secrets.
enum class read_by { both, room, gateway };

struct section_spec;
struct key_spec;

// Whether `who` reads the key (its secret, its environment variable).
bool reads(const key_spec& k, secrets_for who);

struct key_spec {
    std::string key;  // as written in YAML: "lease_ms"
    std::string doc;  // one line: what the setting is for
    // Integers and durations: the accepted range, which the shipped file's
    // comments ("# 100..60000") must repeat.
    std::optional<std::pair<long long, long long>> range;
    bool secret = false;  // never shown, never in an error message
    read_by readers = read_by::both;
    const char* env = nullptr;              // environment variable that overrides it
    const text_rule* rule = nullptr;        // text keys: the shape an env value must have
    const section_spec* section = nullptr;  // set: a nested map of keys (read/show unused)

    std::function<void(map_reader&, config&)> read;  // reads the key if present, checks it
    std::function<std::string(const config&)> show;  // for describe(): secrets as (set)
    // Whether two configs hold the same value here; empty for keys without a
    // default (required ones).
    std::function<bool(const config&, const config&)> same;
    // Text keys: the field, for environment overrides and least privilege.
    std::function<std::string&(config&)> text_field;
};

struct section_spec {
    std::string path;  // "room.limits"; empty for the document itself
    std::vector<key_spec> keys;
    // describe(): whether the section is worth a line (redis: only with
    // store: redis), and what to say before its keys (ome.api: the URL).
    std::function<bool(const config&)> shown;
    std::function<std::string(const config&)> lead;
};

// The whole document: mode, ome, room, gateway, link, store, redis, rooms.
const section_spec& document_schema();

// The keys a section allows, in the table's order (for map_reader).
std::vector<std::string_view> key_names(const section_spec& section);

// Reads every key of `section` from `reader` (nested sections through
// child readers), in the table's order.
void read_section(map_reader& reader, const section_spec& section, config& cfg);

// Calls `visit(path, key)` for every key, depth first, sections included
// ("ome.api" before "ome.api.host").
void for_each_key(const section_spec& section,
                  const std::function<void(const std::string& path, const key_spec&)>& visit);

}  // namespace ovs::config::detail
