#include "loader.hpp"

#include <map>
#include <utility>

namespace ovs::config::detail {

namespace {

struct stream_owner {
    std::size_t room_index;
    unsigned seat;
};

room_def read_room(load_context& ctx, const YAML::Node& node, const std::string& path)
{
    if (!node.IsMap()) {
        ctx.fail(path,
                 line_of(node),
                 "a room (a map with id, title, seats, stream_prefix)",
                 describe_found(node, false));
    }
    map_reader m(ctx, node, path, {"id", "title", "seats", "stream_prefix"});
    room_def room;
    if (!m.get("id")) {
        ctx.fail(m.path_of("id"), line_of(node), room_id_text.what, "nothing (id is required)");
    }
    m.text("id", room.id, room_id_text);
    m.text("title", room.title, title_text);
    m.integer("seats", room.seats, 1, 64);
    m.text("stream_prefix", room.stream_prefix, stream_prefix_text);
    return room;
}

}  // namespace

void read_rooms(map_reader& top, std::vector<room_def>& rooms)
{
    auto& ctx = top.context();
    auto v = top.get("rooms");
    if (!v) {
        ctx.fail("rooms", -1, "a list of at least one room", "nothing (rooms is required)");
    }
    if (!v->IsSequence() || v->size() == 0) {
        ctx.fail("rooms", line_of(*v), "a list of at least one room", describe_found(*v, false));
    }

    std::vector<room_def> out;
    std::map<std::string, stream_owner> streams;
    for (std::size_t i = 0; i < v->size(); ++i) {
        auto path = "rooms[" + std::to_string(i) + "]";
        room_def room = read_room(ctx, (*v)[i], path);

        for (std::size_t j = 0; j < out.size(); ++j) {
            if (out[j].id == room.id) {
                auto first = "rooms[" + std::to_string(j) + "]";
                ctx.fail(path + ".id",
                         ctx.line_of(path + ".id"),
                         "a room id not used by another room",
                         quote(room.id) + ", already the id of " + first + " (line " +
                             std::to_string(ctx.line_of(first + ".id")) + ")");
            }
        }

        // Seat numbers are appended to the prefix, so "s1" seat 0 ("s10") and
        // "s" seat 10 collide even though the prefixes differ.
        for (unsigned seat = 0; seat < room.seats; ++seat) {
            auto name = stream_name(room, seat);
            auto [it, inserted] = streams.emplace(name, stream_owner{i, seat});
            if (!inserted) {
                const auto& other = out[it->second.room_index];
                auto key = path + ".stream_prefix";
                int line = ctx.line_of(key);
                ctx.fail(key,
                         line > 0 ? line : ctx.line_of(path + ".id"),
                         "stream names unique across rooms",
                         "stream " + quote(name) + " for seat " + std::to_string(seat) +
                             ", which room '" + other.id + "' also uses for its seat " +
                             std::to_string(it->second.seat));
            }
        }
        out.push_back(std::move(room));
    }
    rooms = std::move(out);
}

}  // namespace ovs::config::detail
