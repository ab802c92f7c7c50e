#pragma once
// Configuration and plain value types of the OME stand-in. No Asio here.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ovs::ome_standin {

// Emulated OME release; each one changes some REST details (CONTRACT §2.10).
enum class ome_version { v0_15, v0_18, v0_19, v0_20, v0_21 };

// "0.15", "0.18", "0.19", "0.20", "0.21" (a trailing ".x" patch is accepted).
std::optional<ome_version> parse_ome_version(std::string const& text);
std::string version_string(ome_version v);  // "0.20.0"

enum class ingest_protocol { rtmp, srt, webrtc, whip };
enum class playback_protocol { webrtc, llhls };

std::optional<ingest_protocol> parse_ingest_protocol(std::string const& text);
std::optional<playback_protocol> parse_playback_protocol(std::string const& text);

struct standin_config {
    // REST API listener (port 0 = ephemeral; ome_standin::api_port() reports it).
    std::string api_address = "127.0.0.1";
    std::uint16_t api_port = 0;
    // Test control listener (not part of OME).
    std::string control_address = "127.0.0.1";
    std::uint16_t control_port = 0;

    std::string access_token = "ome-access-token";  // <Managers><API><AccessToken>
    std::vector<std::string> vhosts{"default"};
    std::vector<std::string> apps{"app"};  // every vhost has these apps
    ome_version version = ome_version::v0_20;

    // <AdmissionWebhooks>: empty URL = no webhooks (publishes are admitted).
    std::string webhook_url;                          // ControlServerUrl, http:// only
    std::string webhook_secret;                       // SecretKey
    std::chrono::milliseconds webhook_timeout{3000};  // Timeout
    std::vector<std::string> webhook_providers{"rtmp", "webrtc", "srt"};  // Enables/Providers
    std::vector<std::string> webhook_publishers{"webrtc", "llhls"};       // Enables/Publishers

    // The host and ports OME pretends to listen on; used to build request.url.
    std::string public_host = "127.0.0.1";
    std::uint16_t rtmp_port = 1935;
    std::uint16_t srt_port = 9999;
    std::uint16_t webrtc_port = 3333;  // signalling and WHIP
    std::uint16_t llhls_port = 3333;

    // Delay between the two RTMP closings a REST DELETE produces (case h).
    std::chrono::milliseconds rtmp_delete_second_closing_delay{30};
};

// What a simulated encoder sends. Defaults follow the recordings
// (ffmpeg testsrc 640x360@30 + AAC mono 44.1 kHz).
struct media_params {
    int width = 640;
    int height = 360;
    double framerate = 30.0;
    std::string video_codec = "H264";
    std::string audio_codec = "AAC";  // WebRTC/WHIP default to OPUS
    int samplerate = 44100;
    int channels = 1;
    std::int64_t video_bitrate = 160000;  // bps
    std::int64_t audio_bitrate = 70000;
};

struct publish_request {
    ingest_protocol protocol = ingest_protocol::rtmp;
    std::string vhost;  // empty = first configured vhost
    std::string app;    // empty = first configured app
    std::string stream;
    std::string query;                         // e.g. "token=abc123" (no leading '?')
    std::string address = "127.0.0.1";         // client socket address
    std::optional<std::uint16_t> client_port;  // default: a fresh distinct port
    std::string user_agent = "Mozilla/5.0 (ovenspace-ome-standin)";  // WebRTC/WHIP only
    std::optional<media_params> media;
    // When OME makes the stream's outputs (what viewers play), after the
    // admission: a real OME takes ~4 s for WebRTC input. Until then the
    // stream's details show "outputs":[]. nullopt: never, as when an
    // encoder cannot start: an output with "playlists":[] for ever.
    std::optional<std::chrono::milliseconds> outputs_after{std::chrono::milliseconds(0)};
};

struct publish_outcome {
    std::uint64_t id = 0;  // publisher id (also for refused ones, to find their webhooks)
    bool admitted = false;
    std::string reason;  // why refused: "denied: ...", "timeout", "http_status 500", ...
    std::string stream;  // final stream name (after new_url)
    std::string url;     // request.url sent in the webhooks
    std::uint16_t client_port = 0;
    std::uint64_t lifetime_ms = 0;  // 0 = unlimited
};

struct play_request {
    playback_protocol protocol = playback_protocol::webrtc;
    std::string vhost;
    std::string app;
    std::string stream;
    std::string query;
    std::string address = "127.0.0.1";
    std::optional<std::uint16_t> client_port;
    std::string user_agent = "Mozilla/5.0 (ovenspace-ome-standin)";
    std::string x_real_ip;  // header values; real_ip = X-Real-IP, else first XFF, else address
    std::string x_forwarded_for;
    // WebRTC: false = the player takes the offer but never answers, so OME
    // creates no session and sends no closing (case w1).
    bool answer = true;
};

struct play_outcome {
    std::uint64_t id = 0;
    bool admitted = false;  // a session exists (closing will follow on stop)
    int http_status = 200;  // LLHLS: 200, 401 denied, 404 no stream
    std::string reason;
    std::string url;
};

// One REST request as the stand-in saw it (for tests to count calls).
struct api_log_entry {
    std::string method;
    std::string target;
    bool auth_ok = false;
    int status = 0;    // 0 = never answered (hang/down)
    std::string time;  // ISO-8601
};

// One webhook the stand-in sent and what became of it.
struct webhook_log_entry {
    std::uint64_t seq = 0;
    std::uint64_t client_id = 0;  // publisher/player id
    std::string status;           // "opening" | "closing"
    std::string body;             // exact bytes sent
    std::string signature;
    std::string result;  // "answered", "timeout", "connect_failed", "io_error"
    int http_status = 0;
    std::string answer_body;
    std::string decision;  // opening: "allowed" or the refusal reason; closing: ""
    std::string time;
};

}  // namespace ovs::ome_standin
