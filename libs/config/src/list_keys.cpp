// The keys whose values are lists of maps, each entry checked against the
// others: ome.edges and room.gateways (rooms: rooms.cpp).

#include "loader.hpp"

namespace ovs::config::detail {

namespace {

// Calls `each(path, entry)` for every entry of the list under `key` (none
// when the key is absent or null), once it is known to be a list of maps.
template <class Each>
void for_each_map_entry(map_reader& reader,
                        std::string_view key,
                        const char* list_words,
                        const char* entry_words,
                        Each each)
{
    auto& ctx = reader.context();
    const auto v = reader.get(key);
    if (!v || v->IsNull()) {
        return;
    }
    const auto path = reader.path_of(key);
    if (!v->IsSequence()) {
        ctx.fail(path, line_of(*v), list_words, describe_found(*v, false));
    }
    for (std::size_t i = 0; i < v->size(); ++i) {
        const auto at = path + "[" + std::to_string(i) + "]";
        const YAML::Node node = (*v)[i];
        if (!node.IsMap()) {
            ctx.fail(at, line_of(node), entry_words, describe_found(node, false));
        }
        each(at, node);
    }
}

}  // namespace

// ome.edges: a list of { name, host, webrtc_publisher, llhls, probe_host };
// ports default to the origin's (read before), names are unique.
void read_edges(map_reader& ome_reader, ome_config& ome)
{
    auto& ctx = ome_reader.context();
    for_each_map_entry(
        ome_reader,
        "edges",
        "a list of edges",
        "an edge (a map with name and host)",
        [&](const std::string& at, const YAML::Node& node) {
            map_reader m(
                ctx, node, at, {"name", "host", "webrtc_publisher", "llhls", "probe_host"});
            for (const char* required : {"name", "host"}) {
                if (!m.get(required)) {
                    ctx.fail(m.path_of(required),
                             line_of(node),
                             std::string("the edge's ") + required,
                             "nothing (it is required)");
                }
            }
            ome_edge e;
            e.webrtc_publisher = ome.webrtc_publisher;
            e.llhls = ome.llhls;
            m.text("name", e.name, room_id_text);
            m.text("host", e.host, host_text);
            m.tls_port_value("webrtc_publisher", e.webrtc_publisher);
            m.tls_port_value("llhls", e.llhls);
            m.text("probe_host", e.probe_host, optional_host_text);
            for (const auto& other : ome.edges) {
                if (other.name == e.name) {
                    ctx.fail(m.path_of("name"),
                             line_of(node["name"]),
                             "an edge name not used by another edge",
                             quote(e.name));
                }
            }
            ome.edges.push_back(std::move(e));
        });
}

// room.gateways: a list of { address, port }, no two the same.
void read_gateways(map_reader& room_reader, std::vector<endpoint>& out)
{
    auto& ctx = room_reader.context();
    const char* entry_words = "a gateway's link address (a map with address and port)";
    for_each_map_entry(
        room_reader,
        "gateways",
        "a list of { address, port }",
        entry_words,
        [&](const std::string& at, const YAML::Node& node) {
            if (!node["address"] || !node["port"]) {
                ctx.fail(at, line_of(node), entry_words, describe_found(node, false));
            }
            map_reader m(ctx, node, at, {"address", "port"});
            endpoint e;
            m.text("address", e.address, host_text);
            m.port("port", e.port, false);
            for (const auto& other : out) {
                if (other == e) {
                    ctx.fail(at, line_of(node), "a gateway not listed before", quote(e.address));
                }
            }
            out.push_back(std::move(e));
        });
}

}  // namespace ovs::config::detail
