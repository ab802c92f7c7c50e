#pragma once
// Every message of the internal protocol (room service <-> gateway) as a plain
// struct. proto/internal.md is the specification; the field comments here only
// repeat what a caller needs. Optional fields are std::optional and are left
// out of the encoded JSON when empty.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ovs::proto {

// The protocol version this code speaks; carried by `hello`. Version 2 added
// the authenticated handshake (hello.nonce, `auth`); a version-1 peer, which
// cannot prove it knows the link secret, is refused with version_mismatch.
inline constexpr unsigned protocol_version = 2;

// ---------------------------------------------------------------- shared parts

// What went wrong, as a stable machine code plus a human sentence.
// Codes used on the wire are listed in proto/internal.md ("Error codes").
struct error_info {
    std::string code;
    std::string message;
    friend bool operator==(const error_info&, const error_info&) = default;
};

struct video_info {
    std::optional<std::string> codec;  // "H264", "VP8", "H265", ...
    std::optional<std::uint32_t> width;
    std::optional<std::uint32_t> height;
    std::optional<double> framerate;
    friend bool operator==(const video_info&, const video_info&) = default;
};

struct audio_info {
    std::optional<std::string> codec;  // "OPUS", "AAC", ...
    std::optional<std::uint32_t> samplerate;
    std::optional<std::uint32_t> channels;
    friend bool operator==(const audio_info&, const audio_info&) = default;
};

// Whether OME's outputs of a stream (the playlists viewers play) exist:
// `starting` until OME made them, `failed` when it did not in time.
enum class outputs_state { ready, starting, failed };
// "ready", "starting", "failed" (the wire names).
const char* to_string(outputs_state o);
std::optional<outputs_state> outputs_from_string(std::string_view text);

// One stream OME has in the configured vhost/app.
struct stream_info {
    std::string name;    // OME stream name, e.g. "stream3"
    std::string source;  // ingest protocol: "WebRTC" (also WHIP), "RTMP", "SRT", ...
    std::optional<std::string> created;  // OME createdTime, ISO-8601, when known
    std::optional<video_info> video;
    std::optional<audio_info> audio;
    std::optional<std::uint64_t> bitrate;  // bits per second, all tracks, when known
    // Absent: the sender does not tell (an older gateway); receivers take it
    // as ready, the only state before the field existed.
    std::optional<outputs_state> outputs{};
    friend bool operator==(const stream_info&, const stream_info&) = default;
};

// ------------------------------------------------------------- both directions

// First message on every connection, from both sides.
struct hello {
    unsigned protocol = protocol_version;
    std::string role;      // "room" or "gateway"
    std::string software;  // free text, e.g. "ovenspace-gateway/0.1.0"
    // Fresh random challenge for the peer's proof (see handshake.hpp); empty
    // only in a version-1 hello, which is refused before it is looked at.
    std::string nonce;
    friend bool operator==(const hello&, const hello&) = default;
};

// Second message on every connection, from both sides: proof that the sender
// knows the link secret, bound to both hellos' nonces and the sender's role.
struct auth {
    std::string proof;  // lowercase hex HMAC-SHA256, see handshake.hpp
    friend bool operator==(const auth&, const auth&) = default;
};

struct ping {
    friend bool operator==(const ping&, const ping&) = default;
};

struct pong {
    friend bool operator==(const pong&, const pong&) = default;
};

// Result of a request that answers with no fields (e.g. `kick`).
struct empty_result {
    friend bool operator==(const empty_result&, const empty_result&) = default;
};

// Result of `admission_check`.
struct admission_result {
    bool allowed = false;
    std::string reason;  // why (for logs); may be empty
    friend bool operator==(const admission_result&, const admission_result&) = default;
};

// Result of `kick`: "done" (OME ended the stream, or it was already gone)
// or "owed" (OME failed; the gateway keeps retrying until OME no longer lists
// it). Either way the room may consider the kick taken care of.
struct kick_result {
    std::string outcome;
    friend bool operator==(const kick_result&, const kick_result&) = default;
};

// Result of `seat_holds`: the seat streams the room holds (reserved or live
// with a holder), in any order.
struct held_streams {
    std::vector<std::string> streams;
    friend bool operator==(const held_streams&, const held_streams&) = default;
};

// What a reply carries: the typed result on success, or the error.
using reply_body =
    std::variant<empty_result, admission_result, kick_result, held_streams, error_info>;

// The one answer to a request, carrying the request's id.
struct reply {
    std::uint64_t id = 0;
    reply_body body;

    bool ok() const { return !std::holds_alternative<error_info>(body); }
    const error_info* error() const { return std::get_if<error_info>(&body); }
    friend bool operator==(const reply&, const reply&) = default;
};

// A protocol problem not tied to a request; the sender closes the connection
// right after it.
struct error_message {
    error_info error;
    friend bool operator==(const error_message&, const error_message&) = default;
};

// ------------------------------------------------------- gateway -> room events

// Full snapshot of every stream in the app; replaces what the room knew.
struct streams {
    std::vector<stream_info> list;  // JSON key "streams"
    friend bool operator==(const streams&, const streams&) = default;
};

struct stream_up {
    stream_info stream;
    friend bool operator==(const stream_up&, const stream_up&) = default;
};

struct stream_down {
    stream_info stream;
    friend bool operator==(const stream_down&, const stream_down&) = default;
};

// How many viewers OME counts on each live stream (all playback protocols),
// read at the gateway's poll rate; sent when a count changed.
struct stream_viewers {
    std::map<std::string, std::uint64_t> counts;  // JSON key "viewers"
    friend bool operator==(const stream_viewers&, const stream_viewers&) = default;
};

// URL templates with the placeholders `{stream}` and `{token}`.
struct rtmp_endpoint {
    std::string server;  // "rtmp://h:1935/app"        (encoder "server" field)
    std::string key;     // "{stream}?token={token}"   (encoder "stream key" field)
    std::string url;     // server + "/" + key, for tools that take one URL
    friend bool operator==(const rtmp_endpoint&, const rtmp_endpoint&) = default;
};

struct srt_endpoint {
    std::string url;         // streamid "vhost/app/stream?query" form (OME >= 0.19)
    std::string legacy_url;  // streamid = percent-encoded "srt://h:p/app/stream?query"
    friend bool operator==(const srt_endpoint&, const srt_endpoint&) = default;
};

// An OME edge in rotation (ome.edges): where viewers it is chosen for play.
struct edge_endpoints {
    std::string name;         // the key viewers are spread by
    std::string webrtc_play;  // "ws://edge-1:3333/app/{stream}"
    std::string llhls_play;   // "http://edge-1:3333/app/{stream}/llhls.m3u8"
    friend bool operator==(const edge_endpoints&, const edge_endpoints&) = default;
};

struct endpoints {
    std::string webrtc_publish;  // "ws://h:3333/app/{stream}?direction=send&token={token}"
    std::string whip;            // "http://h:3333/app/{stream}?direction=whip&token={token}"
    rtmp_endpoint rtmp;
    srt_endpoint srt;
    std::string webrtc_play;  // "ws://h:3333/app/{stream}"
    std::string llhls_play;   // "http://h:3333/app/{stream}/llhls.m3u8"
    // Edges in rotation; empty: viewers play from the origin (the two above).
    std::vector<edge_endpoints> edges;
    friend bool operator==(const endpoints&, const endpoints&) = default;
};

struct media_status {
    bool reachable = false;                 // last OME API call succeeded
    std::optional<std::string> version;     // OME version, when known
    std::optional<std::string> last_error;  // last failure, when there was one
    bool stale = true;                      // the stream list may be out of date
    friend bool operator==(const media_status&, const media_status&) = default;
};

// --------------------------------------------------------------------- requests

// gateway -> room: may this client publish (or play) this stream with this token?
struct admission_check {
    std::uint64_t id = 0;
    std::string stream;
    std::string token;      // empty when the URL carried none
    std::string direction;  // "publish" or "play"
    std::string protocol;   // as OME reports it: "WebRTC", "RTMP", "SRT", "LLHLS", ...
    std::string client;     // client IP address (OME's client.real_ip)
    friend bool operator==(const admission_check&, const admission_check&) = default;
};

// room -> gateway: end this stream in OME (OME DELETE).
struct kick {
    std::uint64_t id = 0;
    std::string stream;
    std::string reason;  // for logs
    friend bool operator==(const kick&, const kick&) = default;
};

// gateway -> room: which seat streams does the room hold? (Reconciliation
// after a link comes up: OME's seat streams that no seat holds are ended.)
struct seat_holds {
    std::uint64_t id = 0;
    friend bool operator==(const seat_holds&, const seat_holds&) = default;
};

// ------------------------------------------------------------------- variants

using event =
    std::variant<streams, stream_up, stream_down, endpoints, media_status, stream_viewers>;
using request = std::variant<admission_check, kick, seat_holds>;
using message = std::variant<hello,
                             auth,
                             ping,
                             pong,
                             reply,
                             error_message,
                             streams,
                             stream_up,
                             stream_down,
                             endpoints,
                             media_status,
                             admission_check,
                             kick,
                             stream_viewers,
                             seat_holds>;

// The wire name ("type") of a message.
std::string_view type_name(const message& m);
// Whether `type` names a message of this protocol version (what type_name
// can return).
bool is_message_type(std::string_view type);

// Narrowing and widening between the variants.
std::optional<event> as_event(const message& m);
std::optional<request> as_request(const message& m);
message to_message(const event& e);
message to_message(const request& r);

// The id of a request, and a copy with the id replaced.
std::uint64_t request_id(const request& r);
void set_request_id(request& r, std::uint64_t id);

}  // namespace ovs::proto
