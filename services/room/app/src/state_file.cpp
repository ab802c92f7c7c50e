#include "state_file.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace ovs::room {

namespace {

using json = nlohmann::json;
constexpr int format_version = 1;

std::int64_t to_wall_ms(time_point t, time_point now, wall_clock::time_point wall_now)
{
    const auto wall = wall_now + std::chrono::duration_cast<wall_clock::duration>(t - now);
    return std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count();
}

time_point from_wall_ms(std::int64_t ms, time_point now, wall_clock::time_point wall_now)
{
    const auto wall = wall_clock::time_point(std::chrono::milliseconds(ms));
    return now + std::chrono::duration_cast<clock::duration>(wall - wall_now);
}

std::optional<seat_state> state_named(const std::string& s)
{
    for (const auto st : {seat_state::free,
                          seat_state::reserved,
                          seat_state::starting,
                          seat_state::live,
                          seat_state::failed,
                          seat_state::ending}) {
        if (s == to_string(st)) return st;
    }
    return std::nullopt;
}

std::optional<stream_outputs> outputs_named(const std::string& s)
{
    for (const auto o : {stream_outputs::ready, stream_outputs::starting, stream_outputs::failed}) {
        if (s == to_string(o)) return o;
    }
    return std::nullopt;
}

json info_json(const stream_info& i)
{
    return json{{"source", i.source},
                {"video_codec", i.video_codec},
                {"width", i.width},
                {"height", i.height},
                {"bitrate", i.bitrate},
                {"framerate", i.framerate},
                {"outputs", to_string(i.outputs)}};
}

stream_info info_of(const json& j)
{
    stream_info i;
    i.source = j.value("source", std::string("unknown"));
    i.video_codec = j.value("video_codec", std::string());
    i.width = j.value("width", 0U);
    i.height = j.value("height", 0U);
    i.bitrate = j.value("bitrate", std::uint64_t{0});
    i.framerate = j.value("framerate", 0.0);
    i.outputs =
        outputs_named(j.value("outputs", std::string("ready"))).value_or(stream_outputs::ready);
    return i;
}

std::optional<kept_seat> seat_of(const json& j, time_point now, wall_clock::time_point wall_now)
{
    if (!j.is_object()) return std::nullopt;
    const auto state = state_named(j.value("state", std::string()));
    if (!state || !j.contains("room") || !j["room"].is_string() || !j.contains("index") ||
        !j["index"].is_number_unsigned()) {
        return std::nullopt;
    }
    kept_seat s;
    s.room = j["room"].get<std::string>();
    s.index = j["index"].get<unsigned>();
    s.state = *state;
    s.held = j.value("held", false);
    s.token_hash = j.value("token_hash", std::string());
    if (j.contains("lease_expires_ms") && j["lease_expires_ms"].is_number_integer()) {
        s.lease_expires = from_wall_ms(j["lease_expires_ms"].get<std::int64_t>(), now, wall_now);
    }
    if (j.contains("info") && j["info"].is_object()) s.info = info_of(j["info"]);
    s.locked = j.value("locked", false);
    s.ended_by_moderator = j.value("ended_by_moderator", false);
    return s;
}

}  // namespace

std::string encode_state(const kept_rooms& k, time_point now, wall_clock::time_point wall_now)
{
    json seq = json::object();
    for (const auto& [room, n] : k.seq) seq[room] = n;
    json seats = json::array();
    for (const auto& s : k.seats) {
        json j{{"room", s.room}, {"index", s.index}, {"state", to_string(s.state)}};
        if (s.held) {
            j["held"] = true;
            j["token_hash"] = s.token_hash;
        }
        if (s.lease_expires) j["lease_expires_ms"] = to_wall_ms(*s.lease_expires, now, wall_now);
        if (s.info) j["info"] = info_json(*s.info);
        if (s.locked) j["locked"] = true;
        if (s.ended_by_moderator) j["ended_by_moderator"] = true;
        seats.push_back(std::move(j));
    }
    return json{{"ovenspace_room_state", format_version}, {"seq", seq}, {"seats", seats}}.dump() +
           "\n";
}

std::optional<kept_rooms> decode_state(std::string_view text,
                                       time_point now,
                                       wall_clock::time_point wall_now)
{
    const auto doc = json::parse(text.begin(), text.end(), nullptr, false);
    if (!doc.is_object() || doc.value("ovenspace_room_state", 0) != format_version) {
        return std::nullopt;
    }
    kept_rooms k;
    if (doc.contains("seq") && doc["seq"].is_object()) {
        for (const auto& [room, n] : doc["seq"].items()) {
            if (n.is_number_unsigned()) k.seq[room] = n.get<std::uint64_t>();
        }
    }
    if (doc.contains("seats") && doc["seats"].is_array()) {
        for (const auto& j : doc["seats"]) {
            if (auto s = seat_of(j, now, wall_now)) k.seats.push_back(std::move(*s));
        }
    }
    return k;
}

std::string write_state_file(const std::string& path, const std::string& text)
{
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return "cannot create " + tmp + ": " + std::strerror(errno);
    // An existing file keeps the mode it had: make sure it is ours alone.
    ::fchmod(fd, 0600);
    std::size_t done = 0;
    while (done < text.size()) {
        const auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string err = std::strerror(errno);
            ::close(fd);
            return "cannot write " + tmp + ": " + err;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const std::string err = std::strerror(errno);
        ::close(fd);
        return "cannot sync " + tmp + ": " + err;
    }
    ::close(fd);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        return "cannot rename " + tmp + " to " + path + ": " + std::strerror(errno);
    }
    return {};
}

std::optional<std::string> read_state_file(const std::string& path, std::string& error)
{
    error.clear();
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot open " + path;
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        error = "cannot read " + path;
        return std::nullopt;
    }
    return text.str();
}

}  // namespace ovs::room
