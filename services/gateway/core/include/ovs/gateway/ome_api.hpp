#pragma once
// OME REST API, the pure half: request paths, the Authorization header value,
// and parsing of every answer the gateway uses (stream list, stream detail,
// DELETE, /v1/version) into our own types. The I/O shell sends the request
// and hands (HTTP status, body) to a parse_* function; every outcome comes
// back as a value (ome_result), never an exception.
//
// Version tolerance (CONTRACT.md §2.10): numbers may be JSON strings (<=0.18
// bitrates), ints or floats; any field may be missing; bypass tracks of
// <=0.19 are just {"bypass":true}; auth failures are 403 up to 0.15.1.

#include <ovs/gateway/ome_time.hpp>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ovs::gateway {

// ---------------------------------------------------------------- requests

// "/v1/vhosts/{vhost}/apps/{app}/streams". Names are percent-encoded (OME
// matches routes on the raw path, so a URL-safe name is sent as is). Throws
// std::invalid_argument for an empty name: OME would read the trailing slash
// as a different request.
std::string streams_path(std::string_view vhost, std::string_view app);

// ".../streams/{stream}": GET for the detail, DELETE to end the ingest.
std::string stream_path(std::string_view vhost, std::string_view app, std::string_view stream);

// "/v1/stats/current/vhosts/{vhost}/apps/{app}/streams/{stream}": the
// stream's current statistics (its viewers among them).
std::string stream_stats_path(std::string_view vhost,
                              std::string_view app,
                              std::string_view stream);

// "/v1/version" (OME 0.16.5+; older servers answer 404 "Controller not found").
std::string version_path();

// The full Authorization header value OME wants: "Basic " + base64 of the
// whole access token (no user:password split). A secret: never log it.
std::string basic_authorization(std::string_view access_token);

// ---------------------------------------------------------------- errors

enum class ome_error_kind {
    unreachable,       // no HTTP answer (set by the I/O shell, see transport_error)
    unauthorized,      // 401, or 403 about credentials (<=0.15.1): wrong access token
    forbidden,         // another 403 (e.g. "Only pull streams can be deleted." in 0.15.x)
    vhost_not_found,   // 404 "Could not find the virtual host"
    app_not_found,     // 404 "Could not find the application"
    stream_not_found,  // 404 "Could not find the stream"
    no_route,          // 404 "Controller not found" (e.g. /v1/version before 0.16.5)
    http_error,        // any other non-2xx status (400, 500, 502, other 404s...)
    bad_response,      // a body that is not JSON or not the expected shape
};

// Stable snake_case name of a kind ("stream_not_found"), for logs and metrics.
std::string_view to_string(ome_error_kind kind);

struct ome_error {
    ome_error_kind kind = ome_error_kind::bad_response;
    unsigned http_status = 0;  // 0 when there was no HTTP answer
    std::string message;       // readable, one line, no secrets
};

// An error for a request that got no HTTP answer (connect refused, timeout,
// TLS failure); `what` is the transport's description.
ome_error transport_error(std::string_view what);

// Either a value or an ome_error.
template <class T>
class ome_result {
public:
    ome_result(T value) : v_(std::move(value)) {}
    ome_result(ome_error error) : v_(std::move(error)) {}
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    const T& value() const { return std::get<0>(v_); }  // only when ok()
    T& value() { return std::get<0>(v_); }
    const ome_error& error() const { return std::get<1>(v_); }  // only when !ok()

private:
    std::variant<T, ome_error> v_;
};

// ---------------------------------------------------------------- answers

// GET .../streams: the names of the app's input streams (order is OME's).
// Empty names are left out: no request could address them.
ome_result<std::vector<std::string>> parse_stream_list(unsigned http_status, std::string_view body);

// Where a stream comes from, from input.sourceType.
enum class source_kind {
    webrtc,  // "WebRTC": OME signalling *or WHIP*; the API does not tell them apart
    rtmp,    // "Rtmp"
    srt,     // "SRT"
    ovt,
    rtmp_pull,
    rtsp,
    rtsp_pull,
    mpegts,
    transcoder,
    file,
    scheduled,
    multiplex,
    unknown,
};

// Maps OME's sourceType (case-insensitively); unknown strings give unknown.
source_kind source_kind_from_ome(std::string_view source_type);

// The source name the room service shows: "WebRTC" (which covers WHIP, see
// above), "RTMP", "SRT", or "unknown" for every other kind.
std::string_view source_name(source_kind kind);

// The publisher's socket from input.sourceUrl ("TCP://203.0.113.7:51234",
// "SRT://127.0.0.1:50804"; "[::1]:port" for IPv6).
struct peer_address {
    std::string socket_type;  // upper-cased: "TCP", "SRT", ...
    std::string address;      // without brackets
    std::uint16_t port = 0;
};

// nullopt when `source_url` is not "<TYPE>://address:port" (e.g. a pull URL).
std::optional<peer_address> parse_peer_address(std::string_view source_url);

struct video_details {
    std::string codec;          // "H264", ...; empty on a bypass-only track (<=0.19)
    unsigned width = 0;         // 0 = unknown
    unsigned height = 0;        // 0 = unknown
    std::uint64_t bitrate = 0;  // bits per second, 0 = unknown
    double framerate = 0;       // as OME sends it (single precision: 29.969999...)
    bool bypass = false;
};

struct audio_details {
    std::string codec;
    unsigned samplerate = 0;
    unsigned channels = 0;
    std::uint64_t bitrate = 0;
    bool bypass = false;
};

// GET .../streams/{stream}, in our words. Only the input side is read: that
// is what the publisher sends. The first video and first audio track count.
struct stream_details {
    std::string name;
    source_kind source = source_kind::unknown;
    std::string source_type;            // OME's raw sourceType
    std::string source_url;             // raw, may be empty
    std::optional<peer_address> peer;   // parsed source_url, when it is a socket
    std::string created_time;           // raw ISO-8601 string
    std::optional<utc_millis> created;  // parsed created_time
    std::optional<video_details> video;
    std::optional<audio_details> audio;
    // The names of the output playlists OME made (e.g. "llhls_default",
    // "webrtc_default"). None while the outputs do not exist yet: right
    // after admission OME has no output at all, and an output whose encoder
    // could not start keeps an empty playlist list for ever.
    std::vector<std::string> playlists;
    bool has_outputs = false;       // "outputs" lists at least one output
    bool playlists_listed = false;  // some output has a "playlists" array
    // Viewers can play the stream: some output lists a playlist. An OME too
    // old to list playlists at all (0.15) shows only its outputs: ready as
    // soon as it has one.
    bool outputs_ready() const { return !playlists.empty() || (has_outputs && !playlists_listed); }
};

ome_result<stream_details> parse_stream_details(unsigned http_status, std::string_view body);

// DELETE .../streams/{stream}. A 404 stream_not_found means the stream is
// already gone; callers that only want it gone may treat that as success.
ome_result<std::monostate> parse_delete(unsigned http_status, std::string_view body);

// The viewers OME counts on a stream right now: `totalConnections` of its
// current statistics (every playback protocol, renditions rolled up). A
// missing or non-numeric count is a bad_response.
ome_result<std::uint64_t> parse_stream_viewers(unsigned http_status, std::string_view body);

// An OME release number. Comparisons ignore `text` and `git`.
struct ome_version {
    unsigned major = 0;
    unsigned minor = 0;
    unsigned micro = 0;
    std::string text;  // as received, e.g. "0.20.0"
    std::string git;   // gitVersion, e.g. "v0.20.0-0-g..." (may be empty)

    friend bool operator==(const ome_version& a, const ome_version& b)
    {
        return a.major == b.major && a.minor == b.minor && a.micro == b.micro;
    }
    friend std::strong_ordering operator<=>(const ome_version& a, const ome_version& b)
    {
        if (auto c = a.major <=> b.major; c != 0) return c;
        if (auto c = a.minor <=> b.minor; c != 0) return c;
        return a.micro <=> b.micro;
    }
};

// "0.20", "0.20.5", "v0.21.0" (missing parts are 0); nullopt when not a version.
std::optional<ome_version> parse_version_string(std::string_view text);

// GET /v1/version. On a server older than 0.16.5 the error kind is no_route.
ome_result<ome_version> parse_version(unsigned http_status, std::string_view body);

}  // namespace ovs::gateway
