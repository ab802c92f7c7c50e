#pragma once
// The media server side of the tests: the OME stand-in (a child process
// driven over its control HTTP interface), a real OME started here from the
// binary OVENSPACE_TEST_OME_BIN names, or a real OME running elsewhere
// (OVENSPACE_TEST_OME_API). Streams are published to a real OME with
// ffmpeg. Scenarios talk to this class only, so the same test runs in every
// mode.

#include "child_process.hpp"
#include "ome_process.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ovs::integration {

enum class ingest { rtmp, srt, webrtc, whip };
std::string ingest_name(ingest p);      // "rtmp", "srt", "webrtc", "whip"
std::string ome_source_name(ingest p);  // what OME lists as sourceType: RTMP, SRT, WebRTC

// A real OME to test against, from OVENSPACE_TEST_OME_API,
// OVENSPACE_TEST_OME_TOKEN and OVENSPACE_TEST_OME_INGEST_HOST.
struct real_ome_settings {
    std::string api_host;
    std::uint16_t api_port = 0;
    std::string token;
    std::string ingest_host;
    std::uint16_t rtmp_port = 1935;
    std::uint16_t srt_port = 9999;
    // Where that OME's AdmissionWebhooks go (its Server.xml), and the secret.
    std::uint16_t gateway_http_port = 9595;
    std::string webhook_secret;
};
std::optional<real_ome_settings> real_ome_from_env();

struct publish_result {
    bool admitted = false;
    std::string reason;  // why refused
    std::string handle;  // for unpublish: the stand-in's publisher id or an ffmpeg slot
    std::string stream;
};

class media_server {
public:
    // Stand-in mode: nothing runs until start().
    media_server(std::string dir, std::string webhook_secret, std::string access_token);
    // A real OME running elsewhere.
    explicit media_server(real_ome_settings real, std::string dir);
    // A real OME started here from `binary` (on start()); with `tls`, it
    // runs deploy/ome/Server.tls.xml with those files.
    media_server(std::string binary,
                 std::string dir,
                 std::string webhook_secret,
                 std::string access_token,
                 std::optional<ome_tls_files> tls = std::nullopt);
    ~media_server();
    media_server(const media_server&) = delete;
    media_server& operator=(const media_server&) = delete;

    bool real() const { return real_.has_value(); }
    // A real OME that this test started (and may stop, start, pause).
    bool managed() const { return ome_ != nullptr; }
    // "the OME stand-in", "a real OME started from PATH", ...
    std::string describe() const;

    // Stand-in: its API host/port for the gateway config.
    std::string api_host() const;
    std::uint16_t api_port() const;
    std::string ingest_host() const;
    std::uint16_t rtmp_port() const;
    std::uint16_t srt_port() const;
    // WebRTC signalling, WHIP and LL-HLS.
    std::uint16_t signalling_port() const;
    // A real OME started here: its OVT publisher (edges pull from it); 0 otherwise.
    std::uint16_t ovt_port() const;
    // Their TLS twins (a real OME started with TLS; 0 otherwise).
    std::uint16_t signalling_tls_port() const { return ome_ ? ome_->ports().signalling_tls : 0; }
    std::uint16_t api_tls_port() const { return ome_ ? ome_->ports().api_tls : 0; }
    std::string access_token() const { return token_; }

    // Stand-in or a real OME started here: start it, with AdmissionWebhooks
    // to `webhook_url` (none when empty: the shipped Server.xml without
    // them, for open mode). Nothing to do for an OME running elsewhere.
    void start(const std::string& webhook_url);
    void stop();
    bool running() const;

    // Publishes `stream` with `query` (e.g. "token=abc") and returns once
    // the media server decided (admitted or refused).
    publish_result publish(ingest protocol,
                           const std::string& stream,
                           const std::string& query,
                           std::chrono::milliseconds timeout = std::chrono::milliseconds(15000));
    // Ends a publish the way its encoder would (closing webhook follows).
    void unpublish(const publish_result& p);

    // Stand-in only: how long after admission the next publishes' outputs
    // (what viewers play) take to appear in OME's stream details; nullopt:
    // never (a real OME that cannot start an encoder). Default: at once.
    void standin_outputs_after(std::optional<std::chrono::milliseconds> delay)
    {
        outputs_after_ = delay;
    }
    // Real OME: `stream`'s details list an output playlist (OME made the
    // outputs viewers play).
    bool outputs_listed(const std::string& stream);
    // Whether the media server lists `stream` right now (its REST API).
    bool listed(const std::string& stream);
    // Real OME: the client port of `stream`'s input (its details'
    // input.sourceUrl), i.e. which encoder OME took; nullopt when unknown.
    std::optional<std::uint16_t> input_port(const std::string& stream);
    std::vector<std::string> listed_streams();

    // A REST DELETE of `stream` reached the media server (stand-in: its
    // request log; real OME: the stream is gone from the list).
    bool wait_deleted(const std::string& stream, std::chrono::milliseconds timeout);

    // ---- stand-in only powers (check standin_powers() first)
    bool standin_powers() const { return !real(); }
    // The stand-in's control port (its publishers, players and API modes).
    std::uint16_t standin_control_port() const { return control_port_; }
    // REST requests the stand-in received so far (its request log).
    std::vector<nlohmann::json> api_log();
    std::size_t api_request_count();
    std::vector<nlohmann::json> webhook_log();
    // Make the API unreachable / hang / answer again.
    void api_down();
    void api_hang();
    void api_up();
    // Stand-in only: every API request answered 500 / answered `delay` late
    // (until api_up()).
    void api_error();
    void api_slow(std::chrono::milliseconds delay);
    // A hang a real OME can do too: one started here is frozen (SIGSTOP;
    // it keeps its sockets and streams, answers nothing) until api_up().
    bool can_hang() const { return standin_powers() || managed(); }

    std::string diagnostics() const;

    // The OME started here (managed() only).
    ome_process* ome() { return ome_.get(); }

private:
    nlohmann::json control(const std::string& method,
                           const std::string& target,
                           const nlohmann::json& body = nullptr);

    std::optional<real_ome_settings> real_;
    std::string dir_;
    std::string secret_;
    std::string token_;
    std::uint16_t api_port_ = 0;
    std::uint16_t control_port_ = 0;
    std::unique_ptr<child_process> standin_;
    std::unique_ptr<ome_process> ome_;
    std::map<std::string, std::unique_ptr<child_process>> encoders_;  // real mode: ffmpeg
    int encoder_count_ = 0;
    std::optional<std::chrono::milliseconds> outputs_after_{std::chrono::milliseconds(0)};
    int starts_ = 0;
};

// "Basic " + base64(token), as OME's API wants it.
std::string basic_auth(const std::string& token);

}  // namespace ovs::integration
