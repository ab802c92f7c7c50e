#pragma once
// The browser WebSocket wire format (proto/websocket.md): JSON text frames
// encoded from the room model's types, and commands decoded into plain
// structs. No I/O here.

#include <ovs/room/room_server.hpp>
#include <ovs/room/space.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ovs::room::wire {

using json = nlohmann::json;

enum class command_kind { claim, release, resume, ping, moderate, end_seat, lock, unlock };

struct command {
    command_kind kind = command_kind::ping;
    json id;  // number or string, echoed in the reply
    unsigned seat = 0;
    bool all_seats = false;  // lock/unlock without a seat: the whole room
    std::string token;
    std::string secret;  // moderate: the moderator secret (never logged)
};

// A frame the server could not take as a command. `id` is set when the frame
// had a usable one, so the error goes out as a reply to it.
struct bad_frame {
    std::string code;  // bad_json, bad_message, unknown_command
    std::string message;
    std::optional<json> id;
};

std::variant<command, bad_frame> parse_command(std::string_view text);

json seat_json(const seat_view& seat);
json media_json(const media_status& media);
// null when the gateway has not sent any templates.
// The playback templates for one viewer: those of its edge (ome.edges, by
// rendezvous hashing of `viewer_key`) when edges are in rotation, else the
// origin's; null while the gateway has sent none.
json playback_json(const endpoint_templates* templates, std::string_view viewer_key);
json publish_json(const endpoint_templates* templates,
                  const std::string& stream,
                  const std::string& token);

// Broadcast frames: identical for every receiver (no per-connection fields).
std::string seat_frame(const seat_changed& e);
std::string viewers_frame(const viewers_changed& e);
std::string media_frame(const media_status& media);

// Per connection: `mine` is the seat this connection holds.
std::string snapshot_frame(const room_snapshot& snap,
                           const media_status& media,
                           const endpoint_templates* templates,
                           std::optional<unsigned> mine,
                           std::string_view viewer_key);

std::string reply_ok(const json& id, json fields = json::object());
std::string reply_error(const json& id, std::string_view code, std::string_view message);
std::string error_frame(std::string_view code, std::string_view message);

// The ok fields of a claim/resume reply.
json grant_fields(const claim_granted& g, time_point now, const endpoint_templates* templates);

// Human-readable text for a refusal code.
std::string refusal_message(refusal r, unsigned seat);

}  // namespace ovs::room::wire
