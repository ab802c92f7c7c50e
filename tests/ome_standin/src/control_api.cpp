#include "control_api.hpp"

namespace ovs::ome_standin {
namespace {

using json = nlohmann::json;

// Reads an optional field of the expected type; an error names the field.
template <typename T>
bool read_field(json const& body, char const* key, T& into, std::string& error)
{
    auto const it = body.find(key);
    if (it == body.end() || it->is_null()) return true;
    try {
        into = it->get<T>();
        return true;
    } catch (json::exception const&) {
        error = std::string("field '") + key + "' has the wrong type";
        return false;
    }
}

bool read_port(json const& body, std::optional<std::uint16_t>& into, std::string& error)
{
    auto const it = body.find("client_port");
    if (it == body.end() || it->is_null()) return true;
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() == 0 ||
        it->get<std::uint64_t>() > 65535) {
        error = "field 'client_port' must be 1..65535";
        return false;
    }
    into = static_cast<std::uint16_t>(it->get<std::uint64_t>());
    return true;
}

}  // namespace

std::variant<publish_request, std::string> parse_publish_request(json const& body)
{
    if (!body.is_object()) return std::string("body must be a JSON object");
    publish_request r;
    std::string error;
    std::string protocol = "rtmp";
    if (!read_field(body, "protocol", protocol, error)) return error;
    auto const p = parse_ingest_protocol(protocol);
    if (!p) return "unknown protocol '" + protocol + "' (rtmp, srt, webrtc, whip)";
    r.protocol = *p;
    if (*p == ingest_protocol::webrtc || *p == ingest_protocol::whip) {
        media_params m;
        m.audio_codec = "OPUS";
        m.samplerate = 48000;
        m.channels = 2;
        r.media = m;
    }
    if (!read_field(body, "stream", r.stream, error) ||
        !read_field(body, "vhost", r.vhost, error) || !read_field(body, "app", r.app, error) ||
        !read_field(body, "query", r.query, error) ||
        !read_field(body, "address", r.address, error) ||
        !read_field(body, "user_agent", r.user_agent, error) ||
        !read_port(body, r.client_port, error)) {
        return error;
    }
    if (r.stream.empty()) return std::string("field 'stream' is required");
    // "outputs_after_ms": N, or null for outputs that never start.
    if (auto it = body.find("outputs_after_ms"); it != body.end()) {
        if (it->is_null()) {
            r.outputs_after.reset();
        } else if (it->is_number_unsigned()) {
            r.outputs_after = std::chrono::milliseconds(it->get<std::uint64_t>());
        } else {
            return std::string("field 'outputs_after_ms' must be a non-negative integer or null");
        }
    }
    media_params m = r.media.value_or(media_params{});
    if (!read_field(body, "width", m.width, error) ||
        !read_field(body, "height", m.height, error) ||
        !read_field(body, "framerate", m.framerate, error) ||
        !read_field(body, "codec", m.video_codec, error) ||
        !read_field(body, "video_codec", m.video_codec, error) ||
        !read_field(body, "audio_codec", m.audio_codec, error) ||
        !read_field(body, "samplerate", m.samplerate, error) ||
        !read_field(body, "channels", m.channels, error) ||
        !read_field(body, "video_bitrate", m.video_bitrate, error) ||
        !read_field(body, "audio_bitrate", m.audio_bitrate, error)) {
        return error;
    }
    r.media = m;
    return r;
}

std::variant<play_request, std::string> parse_play_request(json const& body)
{
    if (!body.is_object()) return std::string("body must be a JSON object");
    play_request r;
    std::string error;
    std::string protocol = "webrtc";
    if (!read_field(body, "protocol", protocol, error)) return error;
    auto const p = parse_playback_protocol(protocol);
    if (!p) return "unknown protocol '" + protocol + "' (webrtc, llhls)";
    r.protocol = *p;
    if (!read_field(body, "stream", r.stream, error) ||
        !read_field(body, "vhost", r.vhost, error) || !read_field(body, "app", r.app, error) ||
        !read_field(body, "query", r.query, error) ||
        !read_field(body, "address", r.address, error) ||
        !read_field(body, "user_agent", r.user_agent, error) ||
        !read_field(body, "x_real_ip", r.x_real_ip, error) ||
        !read_field(body, "x_forwarded_for", r.x_forwarded_for, error) ||
        !read_field(body, "answer", r.answer, error) || !read_port(body, r.client_port, error)) {
        return error;
    }
    if (r.stream.empty()) return std::string("field 'stream' is required");
    return r;
}

json to_json(publish_outcome const& o)
{
    return json{{"id", o.id},
                {"admitted", o.admitted},
                {"reason", o.reason},
                {"stream", o.stream},
                {"url", o.url},
                {"client_port", o.client_port},
                {"lifetime_ms", o.lifetime_ms}};
}

json to_json(play_outcome const& o)
{
    return json{{"id", o.id},
                {"admitted", o.admitted},
                {"http_status", o.http_status},
                {"reason", o.reason},
                {"url", o.url}};
}

json to_json(std::vector<api_log_entry> const& log)
{
    json out = json::array();
    for (auto const& e : log) {
        out.push_back(json{{"method", e.method},
                           {"target", e.target},
                           {"auth_ok", e.auth_ok},
                           {"status", e.status},
                           {"time", e.time}});
    }
    return out;
}

json to_json(std::vector<webhook_log_entry> const& log)
{
    json out = json::array();
    for (auto const& e : log) {
        out.push_back(json{{"seq", e.seq},
                           {"client_id", e.client_id},
                           {"status", e.status},
                           {"body", e.body},
                           {"signature", e.signature},
                           {"result", e.result},
                           {"http_status", e.http_status},
                           {"answer_body", e.answer_body},
                           {"decision", e.decision},
                           {"time", e.time}});
    }
    return out;
}

}  // namespace ovs::ome_standin
