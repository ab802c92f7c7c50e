// OME's REST API without sockets: the paths and headers the gateway sends,
// and every answer it reads (envelope, errors, stream lists and details,
// viewer counts, version), across OME versions. A little over 500 lines on
// purpose: the answers share one set of tolerant field readers, kept next
// to the parsers that rely on them.

#include <ovs/gateway/ome_api.hpp>
#include <ovs/util/base64.hpp>
#include <ovs/util/url.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ovs::gateway {

using json = nlohmann::json;

namespace {

std::string segment(std::string_view name, const char* what)
{
    if (name.empty()) throw std::invalid_argument(std::string("empty OME ") + what + " name");
    return util::percent_encode(name);
}

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    return out;
}

bool contains(std::string_view haystack, std::string_view needle)
{
    return haystack.find(needle) != std::string_view::npos;
}

// A short, printable excerpt of a body for error messages.
std::string excerpt(std::string_view body)
{
    constexpr std::size_t max = 80;
    std::string out;
    for (char c : body.substr(0, max)) {
        auto u = static_cast<unsigned char>(c);
        out += (u >= 0x20 && u < 0x7f) ? c : '?';
    }
    if (body.size() > max) out += "...";
    return out;
}

std::string status_text(unsigned status)
{
    return "HTTP " + std::to_string(status);
}

ome_error make_error(ome_error_kind kind, unsigned status, std::string message)
{
    return ome_error{kind, status, std::move(message)};
}

// Classifies a non-2xx answer, using OME's message when the body has one.
ome_error classify_failure(unsigned status, const std::string& message)
{
    std::string text = status_text(status) + (message.empty() ? "" : ": " + message);
    std::string low = lower(message);
    if (status == 401) {
        return make_error(ome_error_kind::unauthorized,
                          status,
                          "OME rejected the API access token (" + text + ")");
    }
    if (status == 403) {
        // <=0.15.1 answered every auth failure with 403; a 403 that talks
        // about something else (read-only vhost, pull-only delete) is not auth.
        if (message.empty() || contains(low, "credential") || contains(low, "authorization")) {
            return make_error(ome_error_kind::unauthorized,
                              status,
                              "OME rejected the API access token (" + text + ")");
        }
        return make_error(
            ome_error_kind::forbidden, status, "OME refused the request (" + text + ")");
    }
    if (status == 404) {
        if (contains(low, "could not find the virtual host")) {
            return make_error(ome_error_kind::vhost_not_found,
                              status,
                              "OME has no such virtual host (" + text + ")");
        }
        if (contains(low, "could not find the application")) {
            return make_error(ome_error_kind::app_not_found,
                              status,
                              "OME has no such application (" + text + ")");
        }
        if (contains(low, "could not find the stream") ||
            contains(low, "could not terminate the stream")) {
            return make_error(
                ome_error_kind::stream_not_found, status, "OME has no such stream (" + text + ")");
        }
        if (contains(low, "controller not found")) {
            return make_error(
                ome_error_kind::no_route, status, "OME does not know this API path (" + text + ")");
        }
    }
    return make_error(ome_error_kind::http_error, status, "OME answered " + text);
}

// The envelope {message, response?, statusCode}: the parsed body on a 2xx
// answer with a JSON object, an ome_error otherwise.
ome_result<json> parse_envelope(unsigned status, std::string_view body)
{
    json doc = json::parse(body.begin(), body.end(), nullptr, false);
    bool is_object = !doc.is_discarded() && doc.is_object();
    std::string message;
    if (is_object) {
        auto it = doc.find("message");
        if (it != doc.end() && it->is_string()) message = it->get<std::string>();
    }
    if (status < 200 || status > 299) {
        if (!is_object && !body.empty() && status != 401 && status != 403 && status != 404) {
            return make_error(
                ome_error_kind::http_error,
                status,
                "OME answered " + status_text(status) + " with a non-JSON body: " + excerpt(body));
        }
        return classify_failure(status, message);
    }
    if (doc.is_discarded()) {
        return make_error(ome_error_kind::bad_response,
                          status,
                          "OME answered " + status_text(status) +
                              " with a body that is not JSON: " + excerpt(body));
    }
    if (!is_object) {
        return make_error(ome_error_kind::bad_response,
                          status,
                          "OME answered " + status_text(status) +
                              " with JSON that is not an envelope object: " + excerpt(body));
    }
    return doc;
}

ome_error wrong_shape(unsigned status, const std::string& what, std::string_view body)
{
    return make_error(ome_error_kind::bad_response,
                      status,
                      "unexpected OME answer shape: " + what + " (body: " + excerpt(body) + ")");
}

// Numbers as OME sends them across versions: JSON numbers (int or float) or
// numeric strings ("2500000" in <=0.18). Anything else is "not present".
std::optional<double> number_field(const json& obj, const char* key)
{
    auto it = obj.find(key);
    if (it == obj.end()) return std::nullopt;
    if (it->is_number()) {
        double v = it->get<double>();
        if (!std::isfinite(v)) return std::nullopt;
        return v;
    }
    if (it->is_string()) {
        const auto& s = it->get_ref<const std::string&>();
        double v = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v)) {
            return std::nullopt;
        }
        return v;
    }
    return std::nullopt;
}

template <class Int>
Int unsigned_field(const json& obj, const char* key)
{
    auto v = number_field(obj, key);
    if (!v || *v < 0 || *v > static_cast<double>(std::numeric_limits<Int>::max())) return 0;
    return static_cast<Int>(std::llround(*v));
}

std::string string_field(const json& obj, const char* key)
{
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_string()) return {};
    return it->get<std::string>();
}

bool bool_field(const json& obj, const char* key)
{
    auto it = obj.find(key);
    return it != obj.end() && it->is_boolean() && it->get<bool>();
}

// The media object of a track: "video"/"audio" keyed, type names matched
// case-insensitively; a track whose type is missing but that has the object
// still counts.
const json* media_object(const json& track, const char* key, const char* type_name)
{
    if (!track.is_object()) return nullptr;
    auto it = track.find(key);
    if (it == track.end() || !it->is_object()) return nullptr;
    std::string type = lower(string_field(track, "type"));
    if (!type.empty() && type != type_name) return nullptr;
    return &*it;
}

video_details read_video(const json& v)
{
    video_details d;
    d.codec = string_field(v, "codec");
    d.width = unsigned_field<unsigned>(v, "width");
    d.height = unsigned_field<unsigned>(v, "height");
    d.bitrate = unsigned_field<std::uint64_t>(v, "bitrate");
    if (auto f = number_field(v, "framerate"); f && *f > 0) d.framerate = *f;
    d.bypass = bool_field(v, "bypass");
    return d;
}

audio_details read_audio(const json& a)
{
    audio_details d;
    d.codec = string_field(a, "codec");
    d.samplerate = unsigned_field<unsigned>(a, "samplerate");
    d.channels = unsigned_field<unsigned>(a, "channel");
    d.bitrate = unsigned_field<std::uint64_t>(a, "bitrate");
    d.bypass = bool_field(a, "bypass");
    return d;
}

}  // namespace

// ---------------------------------------------------------------- requests

std::string streams_path(std::string_view vhost, std::string_view app)
{
    return "/v1/vhosts/" + segment(vhost, "vhost") + "/apps/" + segment(app, "app") + "/streams";
}

std::string stream_path(std::string_view vhost, std::string_view app, std::string_view stream)
{
    return streams_path(vhost, app) + "/" + segment(stream, "stream");
}

std::string stream_stats_path(std::string_view vhost, std::string_view app, std::string_view stream)
{
    return "/v1/stats/current/vhosts/" + segment(vhost, "vhost") + "/apps/" + segment(app, "app") +
           "/streams/" + segment(stream, "stream");
}

std::string version_path()
{
    return "/v1/version";
}

std::string basic_authorization(std::string_view access_token)
{
    return "Basic " + util::base64(access_token);
}

// ---------------------------------------------------------------- errors

std::string_view to_string(ome_error_kind kind)
{
    switch (kind) {
        case ome_error_kind::unreachable:
            return "unreachable";
        case ome_error_kind::unauthorized:
            return "unauthorized";
        case ome_error_kind::forbidden:
            return "forbidden";
        case ome_error_kind::vhost_not_found:
            return "vhost_not_found";
        case ome_error_kind::app_not_found:
            return "app_not_found";
        case ome_error_kind::stream_not_found:
            return "stream_not_found";
        case ome_error_kind::no_route:
            return "no_route";
        case ome_error_kind::http_error:
            return "http_error";
        case ome_error_kind::bad_response:
            return "bad_response";
    }
    return "unknown";
}

ome_error transport_error(std::string_view what)
{
    return make_error(ome_error_kind::unreachable, 0, "OME is unreachable: " + std::string(what));
}

// ---------------------------------------------------------------- answers

ome_result<std::vector<std::string>> parse_stream_list(unsigned http_status, std::string_view body)
{
    auto env = parse_envelope(http_status, body);
    if (!env) return env.error();
    const json& doc = env.value();
    auto it = doc.find("response");
    if (it == doc.end() || !it->is_array()) {
        return wrong_shape(http_status, "stream list: \"response\" is not an array", body);
    }
    std::vector<std::string> names;
    names.reserve(it->size());
    for (const auto& item : *it) {
        if (!item.is_string()) {
            return wrong_shape(http_status, "stream list: an entry is not a string", body);
        }
        // "" names no stream we could fetch or delete (stream_path refuses it).
        if (item.get_ref<const std::string&>().empty()) continue;
        names.push_back(item.get<std::string>());
    }
    return names;
}

source_kind source_kind_from_ome(std::string_view source_type)
{
    static const std::pair<const char*, source_kind> table[] = {
        {"webrtc", source_kind::webrtc},
        {"rtmp", source_kind::rtmp},
        {"srt", source_kind::srt},
        {"ovt", source_kind::ovt},
        {"rtmppull", source_kind::rtmp_pull},
        {"rtsp", source_kind::rtsp},
        {"rtsppull", source_kind::rtsp_pull},
        {"mpegts", source_kind::mpegts},
        {"transcoder", source_kind::transcoder},
        {"file", source_kind::file},
        {"scheduled", source_kind::scheduled},
        {"multiplex", source_kind::multiplex},
    };
    std::string low = lower(source_type);
    for (const auto& [name, kind] : table) {
        if (low == name) return kind;
    }
    return source_kind::unknown;
}

std::string_view source_name(source_kind kind)
{
    switch (kind) {
        case source_kind::webrtc:
            return "WebRTC";
        case source_kind::rtmp:
            return "RTMP";
        case source_kind::srt:
            return "SRT";
        default:
            return "unknown";
    }
}

std::optional<peer_address> parse_peer_address(std::string_view url)
{
    auto sep = url.find("://");
    if (sep == std::string_view::npos || sep == 0) return std::nullopt;
    peer_address peer;
    for (char c : url.substr(0, sep)) {
        if (!std::isalpha(static_cast<unsigned char>(c))) return std::nullopt;
        peer.socket_type += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    std::string_view rest = url.substr(sep + 3);
    std::string_view port_text;
    if (rest.starts_with('[')) {
        auto close = rest.find(']');
        if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
            return std::nullopt;
        }
        peer.address = std::string(rest.substr(1, close - 1));
        port_text = rest.substr(close + 2);
    } else {
        auto colon = rest.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        peer.address = std::string(rest.substr(0, colon));
        port_text = rest.substr(colon + 1);
        // An unbracketed IPv6 address would leave colons in the address part.
        if (peer.address.find(':') != std::string::npos) return std::nullopt;
    }
    if (peer.address.empty() || peer.address.find('/') != std::string::npos) return std::nullopt;
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
        return std::nullopt;
    }
    peer.port = static_cast<std::uint16_t>(port);
    return peer;
}

ome_result<stream_details> parse_stream_details(unsigned http_status, std::string_view body)
{
    auto env = parse_envelope(http_status, body);
    if (!env) return env.error();
    const json& doc = env.value();
    auto resp = doc.find("response");
    if (resp == doc.end() || !resp->is_object()) {
        return wrong_shape(http_status, "stream detail: \"response\" is not an object", body);
    }
    auto input = resp->find("input");
    if (input == resp->end() || !input->is_object()) {
        return wrong_shape(http_status, "stream detail: no \"input\" object", body);
    }

    stream_details d;
    d.name = string_field(*resp, "name");
    d.source_type = string_field(*input, "sourceType");
    d.source = source_kind_from_ome(d.source_type);
    d.source_url = string_field(*input, "sourceUrl");
    if (!d.source_url.empty()) d.peer = parse_peer_address(d.source_url);
    d.created_time = string_field(*input, "createdTime");
    if (!d.created_time.empty()) d.created = parse_ome_time(d.created_time);

    auto tracks = input->find("tracks");
    if (tracks != input->end() && tracks->is_array()) {
        for (const auto& track : *tracks) {
            if (!d.video) {
                if (const json* v = media_object(track, "video", "video")) d.video = read_video(*v);
            }
            if (!d.audio) {
                if (const json* a = media_object(track, "audio", "audio")) d.audio = read_audio(*a);
            }
        }
    }
    // "outputs":[{"name":..,"playlists":[{"name":"llhls_default",..},..],..}]
    // Anything of another shape is treated as no playlist (not ready).
    if (auto outputs = resp->find("outputs"); outputs != resp->end() && outputs->is_array()) {
        for (const auto& output : *outputs) {
            if (!output.is_object()) continue;
            d.has_outputs = true;
            auto playlists = output.find("playlists");
            if (playlists == output.end()) continue;
            d.playlists_listed = true;
            if (!playlists->is_array()) continue;
            for (const auto& p : *playlists) {
                if (p.is_object()) d.playlists.push_back(string_field(p, "name"));
            }
        }
    }
    return d;
}

ome_result<std::monostate> parse_delete(unsigned http_status, std::string_view body)
{
    auto env = parse_envelope(http_status, body);
    if (!env) return env.error();
    return std::monostate{};
}

ome_result<std::uint64_t> parse_stream_viewers(unsigned http_status, std::string_view body)
{
    auto env = parse_envelope(http_status, body);
    if (!env) return env.error();
    const json& doc = env.value();
    const auto response = doc.find("response");
    if (response == doc.end() || !response->is_object()) {
        return wrong_shape(http_status, "stats without a response object", body);
    }
    const auto total = number_field(*response, "totalConnections");
    if (!total || *total < 0) {
        return wrong_shape(http_status, "stats without a totalConnections count", body);
    }
    return static_cast<std::uint64_t>(*total);
}

std::optional<ome_version> parse_version_string(std::string_view text)
{
    std::string_view s = text;
    if (s.starts_with('v') || s.starts_with('V')) s.remove_prefix(1);
    unsigned parts[3] = {0, 0, 0};
    std::size_t count = 0;
    while (count < 3) {
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), parts[count]);
        if (ec != std::errc{}) return std::nullopt;
        ++count;
        s.remove_prefix(static_cast<std::size_t>(end - s.data()));
        if (s.empty() || s.front() != '.') break;
        s.remove_prefix(1);
    }
    // Allow a suffix such as "-rc1" after the numbers, but nothing else.
    if (!s.empty() && s.front() != '-' && s.front() != '+') return std::nullopt;
    if (count < 2) return std::nullopt;
    ome_version v;
    v.major = parts[0];
    v.minor = parts[1];
    v.micro = parts[2];
    v.text = std::string(text);
    return v;
}

ome_result<ome_version> parse_version(unsigned http_status, std::string_view body)
{
    auto env = parse_envelope(http_status, body);
    if (!env) return env.error();
    const json& doc = env.value();
    auto resp = doc.find("response");
    if (resp == doc.end() || !resp->is_object()) {
        return wrong_shape(http_status, "version: \"response\" is not an object", body);
    }
    std::string text = string_field(*resp, "version");
    auto v = parse_version_string(text);
    if (!v) return wrong_shape(http_status, "version: no usable \"version\" string", body);
    v->git = string_field(*resp, "gitVersion");
    return *v;
}

}  // namespace ovs::gateway
