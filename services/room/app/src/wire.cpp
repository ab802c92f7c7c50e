#include "wire.hpp"

#include <ovs/room/edge_choice.hpp>

#include <chrono>

namespace ovs::room::wire {

namespace {

std::string replace_all(std::string text, std::string_view key, const std::string& value)
{
    for (auto pos = text.find(key); pos != std::string::npos;
         pos = text.find(key, pos + value.size())) {
        text.replace(pos, key.size(), value);
    }
    return text;
}

// Replies echo the id, so a string id is bounded: a client cannot make the
// server repeat kilobytes back at it.
constexpr std::size_t max_id_chars = 64;

bool valid_id(const json& id)
{
    return id.is_number_integer() || id.is_number_unsigned() ||
           (id.is_string() && id.get_ref<const std::string&>().size() <= max_id_chars);
}

}  // namespace

std::variant<command, bad_frame> parse_command(std::string_view text)
{
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) {
        return bad_frame{"bad_json", "The frame is not valid JSON", std::nullopt};
    }
    if (!doc.is_object()) {
        return bad_frame{"bad_message", "A command must be a JSON object", std::nullopt};
    }
    std::optional<json> id;
    if (auto it = doc.find("id"); it != doc.end() && valid_id(*it)) {
        id = *it;
    }
    auto type = doc.find("type");
    if (type == doc.end() || !type->is_string()) {
        return bad_frame{"bad_message", "A command needs a string \"type\"", id};
    }
    if (!id) {
        return bad_frame{"bad_message", "A command needs an \"id\" (number or string)", id};
    }
    command cmd;
    cmd.id = *id;
    const auto& name = type->get_ref<const std::string&>();
    if (name == "ping") {
        cmd.kind = command_kind::ping;
        return cmd;
    }
    if (name == "claim") {
        cmd.kind = command_kind::claim;
    } else if (name == "release") {
        cmd.kind = command_kind::release;
    } else if (name == "resume") {
        cmd.kind = command_kind::resume;
    } else if (name == "moderate") {
        cmd.kind = command_kind::moderate;
        auto secret = doc.find("secret");
        if (secret == doc.end() || !secret->is_string() ||
            secret->get_ref<const std::string&>().empty() ||
            secret->get_ref<const std::string&>().size() > 256) {
            return bad_frame{"bad_message", "\"secret\" must be a non-empty string", id};
        }
        cmd.secret = secret->get<std::string>();
        return cmd;
    } else if (name == "end_seat") {
        cmd.kind = command_kind::end_seat;
    } else if (name == "lock" || name == "unlock") {
        cmd.kind = name == "lock" ? command_kind::lock : command_kind::unlock;
        if (doc.find("seat") == doc.end()) {
            cmd.all_seats = true;  // the whole room
            return cmd;
        }
    } else {
        // Never the client's text back: the frame may be kilobytes long.
        return bad_frame{
            "unknown_command", "Unknown command type: expected claim, release, resume or ping", id};
    }
    auto seat = doc.find("seat");
    if (seat == doc.end() || !seat->is_number_unsigned() || seat->get<std::uint64_t>() > 1000) {
        return bad_frame{"bad_message", "\"seat\" must be a seat index", id};
    }
    cmd.seat = seat->get<unsigned>();
    if (cmd.kind == command_kind::resume) {
        auto token = doc.find("token");
        if (token == doc.end() || !token->is_string() ||
            token->get_ref<const std::string&>().empty() ||
            token->get_ref<const std::string&>().size() > 256) {
            return bad_frame{"bad_message", "\"token\" must be a non-empty string", id};
        }
        cmd.token = token->get<std::string>();
    }
    return cmd;
}

json seat_json(const seat_view& seat)
{
    json j{{"index", seat.index}, {"stream", seat.stream}, {"state", to_string(seat.state)}};
    if (seat.state == seat_state::failed) {
        // The same words for the broadcaster and every viewer: the stream
        // reached OME, which never made anything of it to play.
        j["error"] = {{"code", "outputs_not_started"},
                      {"message",
                       "The media server accepted this broadcast but has not started it, so it "
                       "cannot be watched. Its log says why (e.g. an audio encoder it lacks)."}};
    }
    if (on_air(seat.state) && seat.info) {
        const auto& info = *seat.info;
        if (!info.source.empty()) j["source"] = info.source;
        if (!info.video_codec.empty() || info.width != 0 || info.height != 0) {
            json video = json::object();
            if (!info.video_codec.empty()) video["codec"] = info.video_codec;
            if (info.width != 0) video["width"] = info.width;
            if (info.height != 0) video["height"] = info.height;
            if (info.framerate > 0) video["framerate"] = info.framerate;
            j["video"] = std::move(video);
        }
        if (info.bitrate != 0) j["bitrate"] = info.bitrate;
    }
    if (seat.state == seat_state::live && seat.watching) j["viewers"] = *seat.watching;
    if (seat.locked) j["locked"] = true;
    if (seat.ended_by_moderator && seat.state == seat_state::free) j["ended"] = "moderator";
    return j;
}

json media_json(const media_status& media)
{
    json j{{"reachable", media.reachable ? json(*media.reachable) : json(nullptr)},
           {"stale", media.stale}};
    j["version"] = media.version.empty() ? json(nullptr) : json(media.version);
    return j;
}

json playback_json(const endpoint_templates* templates, std::string_view viewer_key)
{
    if (templates == nullptr) return nullptr;
    const auto* playback = &templates->playback;
    if (!templates->edges.empty()) {
        std::vector<std::string> names;
        for (const auto& e : templates->edges) names.push_back(e.name);
        playback = &templates->edges[*pick_edge(viewer_key, names)].playback;
    }
    if (playback->empty()) return nullptr;
    json j = json::object();
    for (const auto& [key, value] : *playback) j[key] = value;
    return j;
}

json publish_json(const endpoint_templates* templates,
                  const std::string& stream,
                  const std::string& token)
{
    if (templates == nullptr || templates->publish.empty()) return nullptr;
    json j = json::object();
    for (const auto& [key, value] : templates->publish) {
        j[key] = replace_all(replace_all(value, "{stream}", stream), "{token}", token);
    }
    return j;
}

std::string seat_frame(const seat_changed& e)
{
    return json{{"type", "seat"}, {"seq", e.seq}, {"seat", seat_json(e.seat)}}.dump();
}

std::string viewers_frame(const viewers_changed& e)
{
    return json{{"type", "viewers"}, {"seq", e.seq}, {"count", e.viewers}}.dump();
}

std::string media_frame(const media_status& media)
{
    return json{{"type", "media"}, {"media", media_json(media)}}.dump();
}

std::string snapshot_frame(const room_snapshot& snap,
                           const media_status& media,
                           const endpoint_templates* templates,
                           std::optional<unsigned> mine,
                           std::string_view viewer_key)
{
    json seats = json::array();
    for (const auto& s : snap.seats) seats.push_back(seat_json(s));
    json j{{"type", "snapshot"},
           {"seq", snap.seq},
           {"room", {{"id", snap.id}, {"title", snap.title}, {"seat_count", snap.seats.size()}}},
           {"viewers", snap.viewers},
           {"seats", std::move(seats)},
           {"mine", mine ? json(*mine) : json(nullptr)},
           {"media", media_json(media)},
           {"playback", playback_json(templates, viewer_key)}};
    return j.dump();
}

std::string reply_ok(const json& id, json fields)
{
    json j{{"type", "reply"}, {"id", id}, {"ok", true}};
    for (auto& [key, value] : fields.items()) j[key] = std::move(value);
    return j.dump();
}

std::string reply_error(const json& id, std::string_view code, std::string_view message)
{
    return json{{"type", "reply"},
                {"id", id},
                {"ok", false},
                {"error", {{"code", code}, {"message", message}}}}
        .dump();
}

std::string error_frame(std::string_view code, std::string_view message)
{
    return json{{"type", "error"}, {"error", {{"code", code}, {"message", message}}}}.dump();
}

json grant_fields(const claim_granted& g, time_point now, const endpoint_templates* templates)
{
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(g.lease_expires - now);
    return json{{"seat", g.seat},
                {"stream", g.stream},
                {"token", g.token},
                {"lease_ms", std::max<std::int64_t>(0, left.count())},
                {"publish", publish_json(templates, g.stream, g.token)}};
}

std::string refusal_message(refusal r, unsigned seat)
{
    const auto n = std::to_string(seat);
    switch (r) {
        case refusal::unknown_room:
            return "No such room";
        case refusal::room_full:
            return "The room is full";
        case refusal::not_joined:
            return "This connection is not in a room";
        case refusal::bad_seat:
            return "There is no seat " + n;
        case refusal::seat_taken:
            return "Seat " + n + " is taken";
        case refusal::already_holding:
            return "You hold another seat already";
        case refusal::not_holder:
            return "You do not hold seat " + n;
        case refusal::bad_token:
            return "The token does not hold seat " + n;
        case refusal::unknown_stream:
            return "Unknown stream";
        case refusal::no_claim:
            return "The seat is not claimed";
        case refusal::already_live:
            return "The seat is live already";
        case refusal::seat_locked:
            return "Seat " + n + " is locked by the moderator";
        case refusal::seat_ending:
            return "Seat " + n + "'s last broadcast is still being ended; try again in a moment";
        case refusal::store_unavailable:
            return "Seats cannot change right now (the seat store is unreachable); try again";
    }
    return "Refused";
}

}  // namespace ovs::room::wire
