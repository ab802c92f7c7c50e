#include <ovs/room/store_codec.hpp>

#include <array>
#include <charconv>
#include <stdexcept>

namespace ovs::room::store {
namespace {

template <class T>
std::optional<T> number(const json& j, const char* key)
{
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return std::nullopt;
    // cjson writes integers as numbers without a fraction; doubles from Lua
    // that hold integers arrive as floats in some spellings ("1e+12").
    if (it->is_number_float()) return static_cast<T>(it->get<double>());
    return it->get<T>();
}

std::optional<std::string> text(const json& j, const char* key)
{
    const auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

// Lua's JSON encoder leaves false/nil marks out; only `true` counts.
bool flag(const json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}

std::string framerate_text(double fps)
{
    if (fps == 0) return "";
    std::array<char, 32> buf{};
    const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), fps);
    return ec == std::errc() ? std::string(buf.data(), end) : std::string();
}

double framerate_value(const std::string& text)
{
    double fps = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), fps);
    return ec == std::errc() && end == text.data() + text.size() ? fps : 0;
}

}  // namespace

std::optional<seat_state> parse_state(std::string_view s)
{
    if (s == "free") return seat_state::free;
    if (s == "reserved") return seat_state::reserved;
    if (s == "live") return seat_state::live;
    if (s == "ending") return seat_state::ending;
    return std::nullopt;
}

json encode_info(const stream_info& info)
{
    return json{{"source", info.source},
                {"video_codec", info.video_codec},
                {"width", info.width},
                {"height", info.height},
                {"bitrate", info.bitrate},
                {"framerate", framerate_text(info.framerate)}};
}

std::optional<stream_info> decode_info(const json& j)
{
    if (!j.is_object()) return std::nullopt;
    stream_info info;
    info.source = text(j, "source").value_or("");
    info.video_codec = text(j, "video_codec").value_or("");
    info.width = number<unsigned>(j, "width").value_or(0);
    info.height = number<unsigned>(j, "height").value_or(0);
    info.bitrate = number<std::uint64_t>(j, "bitrate").value_or(0);
    info.framerate = framerate_value(text(j, "framerate").value_or(""));
    return info;
}

std::optional<seat_record> decode_seat(const json& j)
{
    if (!j.is_object()) return std::nullopt;
    const auto index = number<unsigned>(j, "index");
    const auto state_text = text(j, "state");
    const auto state = state_text ? parse_state(*state_text) : std::nullopt;
    if (!index || !state) return std::nullopt;
    seat_record s;
    s.index = *index;
    s.state = *state;
    s.holder = text(j, "holder").value_or("");
    s.lease_ms = number<std::int64_t>(j, "lease");
    if (const auto it = j.find("info"); it != j.end()) s.info = decode_info(*it);
    s.watching = number<std::size_t>(j, "watching");
    s.locked = flag(j, "locked");
    s.ended_by_moderator = flag(j, "ended");
    return s;
}

std::optional<store_event> decode_event(std::string_view raw)
{
    const json j = json::parse(raw, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    const auto type = text(j, "type");
    const auto room = text(j, "room");
    const auto seq = number<std::uint64_t>(j, "seq");
    if (!type || !room || !seq || *seq == 0) return std::nullopt;
    store_event e;
    e.room = *room;
    e.seq = *seq;
    if (*type == "seat") {
        e.seat = decode_seat(j);
        if (!e.seat) return std::nullopt;
    } else if (*type == "viewers") {
        const auto count = number<std::size_t>(j, "count");
        if (!count) return std::nullopt;
        e.viewers = *count;
    } else {
        return std::nullopt;
    }
    return e;
}

std::optional<script_reply> decode_reply(const std::vector<std::string>& parts)
{
    if (parts.size() < 3) return std::nullopt;
    script_reply r;
    r.result = json::parse(parts[0], nullptr, false);
    if (!r.result.is_object()) return std::nullopt;
    if (!parts[1].empty()) {
        std::int64_t d = 0;
        auto [p, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), d);
        if (ec != std::errc() || p != parts[1].data() + parts[1].size()) return std::nullopt;
        r.deadline_ms = d;
    }
    const json kicks = json::parse(parts[2], nullptr, false);
    if (kicks.is_array()) {
        for (const auto& k : kicks) {
            const auto seat = number<unsigned>(k, "seat");
            const auto reason = text(k, "reason");
            if (!seat || !reason) return std::nullopt;
            r.kicks.push_back({*seat, *reason});
        }
    } else if (!(kicks.is_object() && kicks.empty())) {  // cjson writes {} for an empty list
        return std::nullopt;
    }
    for (std::size_t i = 3; i < parts.size(); ++i) {
        auto e = decode_event(parts[i]);
        if (!e) return std::nullopt;
        r.events.push_back(std::move(*e));
    }
    return r;
}

std::string holder_id(std::string_view replica, conn_id c)
{
    std::string out(replica);
    out += '/';
    out += std::to_string(c);
    return out;
}

std::optional<conn_id> local_conn(std::string_view holder, std::string_view replica)
{
    if (holder.size() <= replica.size() + 1 || holder.substr(0, replica.size()) != replica ||
        holder[replica.size()] != '/') {
        return std::nullopt;
    }
    const auto digits = holder.substr(replica.size() + 1);
    conn_id c = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), c);
    if (ec != std::errc() || p != digits.data() + digits.size() || c == 0) return std::nullopt;
    return c;
}

}  // namespace ovs::room::store
