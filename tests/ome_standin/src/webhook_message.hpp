#pragma once
// AdmissionWebhooks messages as OME builds them, pure: request.url per
// protocol, the signed body, the raw HTTP request, and how OME judges the
// control server's answer (fail closed).

#include <ovs/ome_standin/config.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace ovs::ome_standin {

struct webhook_client {
    std::string address;
    std::uint16_t port = 0;
    std::string real_ip;
    std::string user_agent;  // empty = key left out (RTMP, SRT)
};

// request.url for an ingest: RTMP with explicit port, SRT with the vhost as
// host and no port, WebRTC/WHIP with direction=send/whip first.
std::string ingest_url(standin_config const& config,
                       ingest_protocol protocol,
                       std::string const& vhost,
                       std::string const& app,
                       std::string const& stream,
                       std::string const& query);
std::string playback_url(standin_config const& config,
                         playback_protocol protocol,
                         std::string const& app,
                         std::string const& stream,
                         std::string const& query);

std::string protocol_name(ingest_protocol p);    // "RTMP", "SRT", "WebRTC"
std::string protocol_name(playback_protocol p);  // "WebRTC", "LLHLS"
std::string provider_key(ingest_protocol p);     // Enables/Providers name: rtmp, srt, webrtc
std::string publisher_key(playback_protocol p);  // webrtc, llhls

// Compact, key-sorted body. new_url is given only for closings.
std::string webhook_body(webhook_client const& client,
                         bool incoming,
                         std::string const& protocol,
                         std::string const& status,
                         std::string const& time,
                         std::string const& url,
                         std::optional<std::string> const& new_url);

struct control_server_url {
    std::string host;
    std::string port;         // "80" when the URL has none
    std::string host_header;  // host[:port] as written in the URL
    std::string target;       // path and query, "/" at least
};
std::optional<control_server_url> parse_control_server_url(std::string const& url);

// The request bytes, headers in the order OME writes them.
std::string webhook_http_request(control_server_url const& url,
                                 std::string const& body,
                                 std::string const& signature);

struct admission_decision {
    bool allowed = false;
    std::string reason;  // refusal reason (ours, or the control server's "reason")
    std::optional<std::string> new_url;
    std::uint64_t lifetime_ms = 0;
};

// OME's ParseResponse: exactly 200, a JSON object, a bool "allowed".
admission_decision judge_opening_answer(int http_status, std::string const& body);

struct redirect_target {
    std::string vhost;  // empty = keep
    std::string app;
    std::string stream;
};
// app and stream of a new_url such as rtmp://host:1935/app/stream5; nullopt
// when it cannot be parsed (OME then ignores it).
std::optional<redirect_target> parse_redirect(std::string const& new_url);

}  // namespace ovs::ome_standin
