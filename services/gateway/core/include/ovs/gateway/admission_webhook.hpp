#pragma once
// OME AdmissionWebhooks, the pure half (CONTRACT.md §3, recordings in
// tests/fixtures/ome-webhooks-v0.20.0):
//  - the X-OME-Signature: base64url without padding of HMAC-SHA1(secret, raw
//    body), checked in constant time over the RAW bytes as received;
//  - the request body parsed into webhook_request, with the app, stream and
//    token taken out of request.url (and request.new_url);
//  - the JSON answers OME accepts.
// The I/O shell: read the body (bounded), verify_signature() first (a
// mismatch is answered 401 and not parsed further), parse_webhook(), decide,
// answer HTTP 200 with allow_response()/deny_response()/closing_response().

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ovs::gateway {

// ---------------------------------------------------------------- signature

// base64url-no-padding(HMAC-SHA1(secret, raw_body)): always 27 characters.
std::string webhook_signature(std::string_view secret, std::string_view raw_body);

// True when `header` (the X-OME-Signature value) signs `raw_body` with
// `secret`. Constant-time comparison; trailing '=' padding and surrounding
// blanks in the header are tolerated. Always false for an empty secret
// (anyone can compute a signature with an empty key).
bool verify_signature(std::string_view secret, std::string_view raw_body, std::string_view header);

// ---------------------------------------------------------------- request

enum class webhook_direction { incoming, outgoing };  // publish / playback
enum class webhook_status { opening, closing };

// request.protocol, matched case-insensitively (OME sends "RTMP", "WebRTC",
// "SRT", "LLHLS", "HLSv3", "Thumbnail"; its docs say lower case).
enum class webhook_protocol { rtmp, webrtc, srt, llhls, hlsv3, thumbnail, unknown };

std::string_view to_string(webhook_protocol protocol);  // "rtmp", "webrtc", ...

// What a webhook URL names. Every form puts the app and stream in the first
// two path segments:
//   RTMP    rtmp://host:port/app/stream?query
//   WebRTC  ws[s]://host:port/app/stream[/playlist]?direction=send&token=..
//   WHIP    http[s]://host:port/app/stream?direction=whip&token=..
//   SRT     srt://vhost/app/stream[/playlist]?token=..  (v0.19+: vhost, no port)
//           srt://host:port/app/stream?token=..         (legacy, already decoded)
//   LLHLS   http[s]://host:port/app/stream/llhls.m3u8[?query]
struct stream_url {
    std::string scheme;  // lower case
    std::string host;    // without IPv6 brackets
    std::optional<std::uint16_t> port;
    std::string vhost;                 // SRT path form only (the host part), else empty
    std::string app;                   // percent-decoded
    std::string stream;                // percent-decoded
    std::string rest;                  // path after the stream ("llhls.m3u8", a playlist), decoded
    std::optional<std::string> token;  // first "token" parameter, decoded
    std::optional<std::string> direction;  // "send", "whip", ... (WebRTC/WHIP)
};

// nullopt when the URL has no scheme, or fewer than two path segments, or a
// bad %-escape.
std::optional<stream_url> parse_stream_url(std::string_view url);

// One query parameter, percent-decoded ('+' is not a space): the first one
// named `key` (exact case); nullopt when absent or badly escaped.
std::optional<std::string> query_parameter(std::string_view query, std::string_view key);

struct webhook_request {
    // client
    std::string address;
    std::uint16_t port = 0;
    std::string real_ip;     // equals address when absent (OME < 0.16.8)
    std::string user_agent;  // WebRTC, WHIP, LLHLS only; empty for RTMP/SRT
    // request
    webhook_direction direction = webhook_direction::incoming;
    webhook_protocol protocol = webhook_protocol::unknown;
    std::string protocol_text;  // as sent
    webhook_status status = webhook_status::opening;
    std::string url;
    std::string new_url;  // closings only (equal to url when not redirected)
    std::string time;     // raw ISO-8601 with offset

    std::optional<stream_url> target;      // parsed url
    std::optional<stream_url> new_target;  // parsed new_url

    // WHIP arrives as protocol WebRTC; its URL says direction=whip.
    bool is_whip() const;

    // The source name for the room ("WebRTC", "WHIP", "RTMP", "SRT", or "unknown").
    std::string_view source_name() const;

    // The stream the connection ended on: new_target's stream when set,
    // else target's; empty when neither parsed.
    std::string effective_stream() const;
};

struct webhook_parse_result {
    std::optional<webhook_request> request;
    std::string error;  // set when !request: what is wrong, readable
};

// Parses a body. Required: client.address, client.port, request.direction,
// request.status, request.protocol, request.url. Unknown protocols parse (as
// unknown); a url we cannot read leaves `target` empty, it is not an error.
webhook_parse_result parse_webhook(std::string_view raw_body);

// ---------------------------------------------------------------- answers

// {"allowed":true}, plus "lifetime" (ms) when given and non-zero.
std::string allow_response(std::optional<std::uint64_t> lifetime_ms = std::nullopt);

// {"allowed":false,"reason":"..."}: the reason is only logged by OME; keep
// secrets and tokens out of it.
std::string deny_response(std::string_view reason);

// {} : OME ignores what a closing gets, but wants a 200 with a JSON object.
std::string closing_response();

}  // namespace ovs::gateway
