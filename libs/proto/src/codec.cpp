// JSON <-> message structs. Field access goes through small helpers that
// name the offending field, so every decode error says what was wrong.

#include <ovs/proto/codec.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <utility>

namespace ovs::proto {
namespace {

using json = nlohmann::json;

// Thrown inside decode() only; turned into a decode_error there.
struct field_problem : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A JSON object being read, plus the path that leads to it ("stream.video.").
class object_reader {
public:
    object_reader(const json& obj, std::string path) : obj_(obj), path_(std::move(path)) {}

    bool has(const char* key) const
    {
        auto it = obj_.find(key);
        return it != obj_.end() && !it->is_null();
    }

    std::string string(const char* key) const
    {
        const json& v = need(key);
        if (!v.is_string()) fail(key, "expected a string");
        return v.get<std::string>();
    }
    std::optional<std::string> opt_string(const char* key) const
    {
        if (!has(key)) return std::nullopt;
        return string(key);
    }

    bool boolean(const char* key) const
    {
        const json& v = need(key);
        if (!v.is_boolean()) fail(key, "expected true or false");
        return v.get<bool>();
    }

    std::uint64_t u64(const char* key) const
    {
        const json& v = need(key);
        if (!v.is_number_unsigned()) fail(key, "expected a non-negative integer");
        return v.get<std::uint64_t>();
    }
    std::optional<std::uint64_t> opt_u64(const char* key) const
    {
        if (!has(key)) return std::nullopt;
        return u64(key);
    }
    std::optional<std::uint32_t> opt_u32(const char* key) const
    {
        if (!has(key)) return std::nullopt;
        std::uint64_t v = u64(key);
        if (v > std::numeric_limits<std::uint32_t>::max()) fail(key, "number too large");
        return static_cast<std::uint32_t>(v);
    }
    std::optional<double> opt_number(const char* key) const
    {
        if (!has(key)) return std::nullopt;
        const json& v = need(key);
        if (!v.is_number()) fail(key, "expected a number");
        return v.get<double>();
    }

    object_reader object(const char* key) const
    {
        const json& v = need(key);
        if (!v.is_object()) fail(key, "expected an object");
        return object_reader(v, path_ + key + ".");
    }
    const json& array(const char* key) const
    {
        const json& v = need(key);
        if (!v.is_array()) fail(key, "expected an array");
        return v;
    }
    // An object whose every value is a non-negative integer (name -> count).
    std::map<std::string, std::uint64_t> counts(const char* key) const
    {
        const json& v = need(key);
        if (!v.is_object()) fail(key, "expected an object");
        std::map<std::string, std::uint64_t> out;
        for (const auto& [name, n] : v.items()) {
            if (!n.is_number_unsigned()) {
                throw field_problem("field '" + path_ + key + "." + name +
                                    "': expected a non-negative integer");
            }
            out[name] = n.get<std::uint64_t>();
        }
        return out;
    }

    const std::string& path() const { return path_; }

private:
    const json& need(const char* key) const
    {
        auto it = obj_.find(key);
        if (it == obj_.end() || it->is_null()) fail(key, "missing");
        return *it;
    }
    [[noreturn]] void fail(const char* key, const char* what) const
    {
        throw field_problem("field '" + path_ + key + "': " + what);
    }

    const json& obj_;
    std::string path_;
};

// ------------------------------------------------------------------ decoding

video_info read_video(const object_reader& r)
{
    return video_info{
        r.opt_string("codec"), r.opt_u32("width"), r.opt_u32("height"), r.opt_number("framerate")};
}

audio_info read_audio(const object_reader& r)
{
    return audio_info{r.opt_string("codec"), r.opt_u32("samplerate"), r.opt_u32("channels")};
}

stream_info read_stream(const object_reader& r)
{
    stream_info s;
    s.name = r.string("name");
    s.source = r.string("source");
    s.created = r.opt_string("created");
    if (r.has("video")) s.video = read_video(r.object("video"));
    if (r.has("audio")) s.audio = read_audio(r.object("audio"));
    s.bitrate = r.opt_u64("bitrate");
    if (const auto text = r.opt_string("outputs")) {
        s.outputs = outputs_from_string(*text);
        if (!s.outputs) {
            throw field_problem("field '" + r.path() +
                                "outputs': expected \"ready\", \"starting\" or \"failed\"");
        }
    }
    return s;
}

error_info read_error(const object_reader& r)
{
    return error_info{r.string("code"), r.string("message")};
}

message read_message(const std::string& type, const object_reader& r)
{
    if (type == "hello") {
        std::uint64_t version = r.u64("protocol");
        if (version > std::numeric_limits<unsigned>::max())
            throw field_problem("field 'protocol': number too large");
        // The nonce is optional here so that a version-1 hello (which has
        // none) decodes and is refused as version_mismatch, not bad_message.
        return hello{static_cast<unsigned>(version),
                     r.string("role"),
                     r.opt_string("software").value_or(""),
                     r.opt_string("nonce").value_or("")};
    }
    if (type == "auth") return auth{r.string("proof")};
    if (type == "ping") return ping{};
    if (type == "pong") return pong{};
    if (type == "reply") {
        reply rep;
        rep.id = r.u64("id");
        if (!r.boolean("ok")) {
            rep.body = read_error(r.object("error"));
        } else if (r.has("allowed")) {
            rep.body = admission_result{r.boolean("allowed"), r.opt_string("reason").value_or("")};
        } else if (r.has("kick")) {
            rep.body = kick_result{r.string("kick")};
        } else if (r.has("held")) {
            const json& list = r.array("held");
            held_streams held;
            for (std::size_t i = 0; i < list.size(); ++i) {
                if (!list[i].is_string())
                    throw field_problem("field 'held[" + std::to_string(i) +
                                        "]': expected a string");
                held.streams.push_back(list[i].get<std::string>());
            }
            rep.body = std::move(held);
        } else {
            rep.body = empty_result{};
        }
        return rep;
    }
    if (type == "error") return error_message{read_error(r.object("error"))};
    if (type == "streams") {
        streams s;
        const json& list = r.array("streams");
        s.list.reserve(list.size());
        for (std::size_t i = 0; i < list.size(); ++i) {
            std::string where = "streams[" + std::to_string(i) + "]";
            if (!list[i].is_object())
                throw field_problem("field '" + where + "': expected an object");
            s.list.push_back(read_stream(object_reader(list[i], where + ".")));
        }
        return s;
    }
    if (type == "stream_up") return stream_up{read_stream(r.object("stream"))};
    if (type == "stream_down") return stream_down{read_stream(r.object("stream"))};
    if (type == "stream_viewers") return stream_viewers{r.counts("viewers")};
    if (type == "endpoints") {
        endpoints e;
        e.webrtc_publish = r.string("webrtc_publish");
        e.whip = r.string("whip");
        object_reader rtmp = r.object("rtmp");
        e.rtmp = rtmp_endpoint{rtmp.string("server"), rtmp.string("key"), rtmp.string("url")};
        object_reader srt = r.object("srt");
        e.srt = srt_endpoint{srt.string("url"), srt.string("legacy_url")};
        e.webrtc_play = r.string("webrtc_play");
        e.llhls_play = r.string("llhls_play");
        if (r.has("edges")) {
            const json& list = r.array("edges");
            for (std::size_t i = 0; i < list.size(); ++i) {
                const std::string where = "edges[" + std::to_string(i) + "]";
                if (!list[i].is_object())
                    throw field_problem("field '" + where + "': expected an object");
                const object_reader edge(list[i], where + ".");
                e.edges.push_back(edge_endpoints{
                    edge.string("name"), edge.string("webrtc_play"), edge.string("llhls_play")});
            }
        }
        return e;
    }
    if (type == "media_status") {
        return media_status{r.boolean("reachable"),
                            r.opt_string("version"),
                            r.opt_string("last_error"),
                            r.boolean("stale")};
    }
    if (type == "admission_check") {
        admission_check a;
        a.id = r.u64("id");
        a.stream = r.string("stream");
        a.token = r.string("token");
        a.direction = r.string("direction");
        if (a.direction != "publish" && a.direction != "play")
            throw field_problem("field 'direction': expected \"publish\" or \"play\"");
        a.protocol = r.string("protocol");
        a.client = r.string("client");
        return a;
    }
    if (type == "kick") return kick{r.u64("id"), r.string("stream"), r.string("reason")};
    if (type == "seat_holds") return seat_holds{r.u64("id")};
    throw std::logic_error("read_message: unhandled type");  // filtered by is_message_type()
}

// ------------------------------------------------------------------ encoding

template <class T>
void put_opt(json& j, const char* key, const std::optional<T>& v)
{
    if (v) j[key] = *v;
}

json write_stream(const stream_info& s)
{
    json j = {{"name", s.name}, {"source", s.source}};
    put_opt(j, "created", s.created);
    if (s.video) {
        json v = json::object();
        put_opt(v, "codec", s.video->codec);
        put_opt(v, "width", s.video->width);
        put_opt(v, "height", s.video->height);
        put_opt(v, "framerate", s.video->framerate);
        j["video"] = std::move(v);
    }
    if (s.audio) {
        json a = json::object();
        put_opt(a, "codec", s.audio->codec);
        put_opt(a, "samplerate", s.audio->samplerate);
        put_opt(a, "channels", s.audio->channels);
        j["audio"] = std::move(a);
    }
    put_opt(j, "bitrate", s.bitrate);
    if (s.outputs) j["outputs"] = to_string(*s.outputs);
    return j;
}

json write_error(const error_info& e)
{
    return {{"code", e.code}, {"message", e.message}};
}

struct writer {
    json operator()(const hello& m) const
    {
        json j = {{"type", "hello"},
                  {"protocol", m.protocol},
                  {"role", m.role},
                  {"software", m.software}};
        if (!m.nonce.empty()) j["nonce"] = m.nonce;
        return j;
    }
    json operator()(const auth& m) const { return {{"type", "auth"}, {"proof", m.proof}}; }
    json operator()(const ping&) const { return {{"type", "ping"}}; }
    json operator()(const pong&) const { return {{"type", "pong"}}; }
    json operator()(const reply& m) const
    {
        json j = {{"type", "reply"}, {"id", m.id}, {"ok", m.ok()}};
        if (auto* e = std::get_if<error_info>(&m.body)) j["error"] = write_error(*e);
        if (auto* a = std::get_if<admission_result>(&m.body)) {
            j["allowed"] = a->allowed;
            j["reason"] = a->reason;
        }
        if (auto* k = std::get_if<kick_result>(&m.body)) j["kick"] = k->outcome;
        if (auto* h = std::get_if<held_streams>(&m.body)) j["held"] = h->streams;
        return j;
    }
    json operator()(const error_message& m) const
    {
        return {{"type", "error"}, {"error", write_error(m.error)}};
    }
    json operator()(const streams& m) const
    {
        json list = json::array();
        for (const auto& s : m.list) list.push_back(write_stream(s));
        return {{"type", "streams"}, {"streams", std::move(list)}};
    }
    json operator()(const stream_up& m) const
    {
        return {{"type", "stream_up"}, {"stream", write_stream(m.stream)}};
    }
    json operator()(const stream_down& m) const
    {
        return {{"type", "stream_down"}, {"stream", write_stream(m.stream)}};
    }
    json operator()(const endpoints& m) const
    {
        json j = {{"type", "endpoints"},
                  {"webrtc_publish", m.webrtc_publish},
                  {"whip", m.whip},
                  {"rtmp", {{"server", m.rtmp.server}, {"key", m.rtmp.key}, {"url", m.rtmp.url}}},
                  {"srt", {{"url", m.srt.url}, {"legacy_url", m.srt.legacy_url}}},
                  {"webrtc_play", m.webrtc_play},
                  {"llhls_play", m.llhls_play}};
        if (!m.edges.empty()) {  // left out without edges: what older rooms read
            json list = json::array();
            for (const auto& e : m.edges) {
                list.push_back({{"name", e.name},
                                {"webrtc_play", e.webrtc_play},
                                {"llhls_play", e.llhls_play}});
            }
            j["edges"] = std::move(list);
        }
        return j;
    }
    json operator()(const stream_viewers& m) const
    {
        json counts = json::object();
        for (const auto& [name, n] : m.counts) counts[name] = n;
        return {{"type", "stream_viewers"}, {"viewers", std::move(counts)}};
    }
    json operator()(const media_status& m) const
    {
        json j = {{"type", "media_status"}, {"reachable", m.reachable}, {"stale", m.stale}};
        put_opt(j, "version", m.version);
        put_opt(j, "last_error", m.last_error);
        return j;
    }
    json operator()(const admission_check& m) const
    {
        return {{"type", "admission_check"},
                {"id", m.id},
                {"stream", m.stream},
                {"token", m.token},
                {"direction", m.direction},
                {"protocol", m.protocol},
                {"client", m.client}};
    }
    json operator()(const kick& m) const
    {
        return {{"type", "kick"}, {"id", m.id}, {"stream", m.stream}, {"reason", m.reason}};
    }
    json operator()(const seat_holds& m) const { return {{"type", "seat_holds"}, {"id", m.id}}; }
};

}  // namespace

std::string encode(const message& m)
{
    json j = std::visit(writer{}, m);
    // Invalid UTF-8 in a string field is replaced (U+FFFD) rather than thrown:
    // encoding never fails, and the line stays valid for the peer.
    std::string line = j.dump(-1, ' ', false, json::error_handler_t::replace);
    line.push_back('\n');
    return line;
}

std::string_view wire_code(decode_errc e)
{
    switch (e) {
        case decode_errc::bad_json:
        case decode_errc::not_object:
            return "bad_json";
        case decode_errc::too_large:
            return "too_large";
        case decode_errc::missing_type:
        case decode_errc::unknown_type:
        case decode_errc::bad_field:
            return "bad_message";
    }
    return "bad_message";
}

decode_result decode(std::string_view line, std::size_t max_bytes)
{
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > max_bytes) {
        return decode_error{decode_errc::too_large,
                            "line of " + std::to_string(line.size()) +
                                " bytes exceeds the limit of " + std::to_string(max_bytes),
                            {},
                            {}};
    }
    json j;
    try {
        j = json::parse(line);
    } catch (const json::exception& e) {
        // parse_error, and also out_of_range for a number too large for any
        // type ("1e999", found by fuzz_link_codec): both are bad JSON here,
        // never an exception out of decode().
        return decode_error{
            decode_errc::bad_json, std::string("not valid JSON: ") + e.what(), {}, {}};
    }
    if (!j.is_object())
        return decode_error{decode_errc::not_object, "expected a JSON object", {}, {}};

    decode_error err;
    auto id_it = j.find("id");
    if (id_it != j.end() && id_it->is_number_unsigned()) err.id = id_it->get<std::uint64_t>();
    auto type_it = j.find("type");
    if (type_it == j.end() || !type_it->is_string()) {
        err.code = decode_errc::missing_type;
        err.text = "field 'type': expected a string";
        return err;
    }
    err.type = type_it->get<std::string>();
    if (!is_message_type(err.type)) {
        err.code = decode_errc::unknown_type;
        err.text = "unknown message type '" + err.type + "'";
        return err;
    }
    try {
        return read_message(err.type, object_reader(j, ""));
    } catch (const field_problem& e) {
        err.code = decode_errc::bad_field;
        err.text = err.type + ": " + e.what();
        return err;
    } catch (const json::exception& e) {  // e.g. a number that does not fit
        err.code = decode_errc::bad_field;
        err.text = err.type + ": " + e.what();
        return err;
    }
}

}  // namespace ovs::proto
