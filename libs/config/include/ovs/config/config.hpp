#pragma once
// The validated, frozen configuration of both services. One YAML file (see
// deploy/ovenspace.yaml) holds every section; each service reads the parts it
// needs. Plain structs: nothing here touches yaml-cpp, so any module can
// include it cheaply.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ovs::config {

using millis = std::chrono::milliseconds;

struct endpoint {
    std::string address;  // host name or IP literal
    std::uint16_t port = 0;
    friend bool operator==(const endpoint&, const endpoint&) = default;
};

// One OME listener the browser or an encoder talks to.
struct tls_port {
    bool tls = false;
    std::uint16_t port = 0;
    friend bool operator==(const tls_port&, const tls_port&) = default;
};

// An OME edge (deploy/ome/Server.edge.xml): pulls the origin's streams over
// OVT and serves playback. Publishers never go to an edge.
struct ome_edge {
    std::string name;           // unique; the key viewers are spread by
    std::string host;           // what browsers dial
    tls_port webrtc_publisher;  // default: the origin's ome.webrtc_publisher
    tls_port llhls;             // default: the origin's ome.llhls
    std::string probe_host;     // where the gateway checks it answers; empty = host
    friend bool operator==(const ome_edge&, const ome_edge&) = default;
};

struct ome_config {
    std::string host = "127.0.0.1";  // what browsers and encoders dial (domain for TLS)
    struct api_t {
        std::string host;  // where the gateway reaches the API; empty = ome.host
        bool tls = false;
        std::uint16_t port = 8081;
        std::string access_token;  // secret; env OVENSPACE_OME_API_TOKEN overrides
        std::string ca_file;       // optional CA bundle for https; empty = system store
        millis timeout{2000};      // per request, connect to last byte
    } api;
    std::string vhost = "default";
    std::string app = "app";
    // OME version hint for URL shapes ("0.20"); the gateway prefers /v1/version.
    std::string version = "0.20";
    std::uint16_t rtmp_port = 1935;
    std::uint16_t srt_port = 9999;
    tls_port webrtc_provider{false, 3333};   // WebRTC and WHIP ingest signalling
    tls_port webrtc_publisher{false, 3333};  // WebRTC playback signalling
    tls_port llhls{false, 3333};             // LL-HLS playback
    std::string webhook_secret;              // secret; env OVENSPACE_WEBHOOK_SECRET overrides
    // Playback edges; empty: viewers play from the origin (ome.host).
    std::vector<ome_edge> edges;
};

// How seats are admitted.
enum class admission_mode {
    webhook,  // only the seat's token holder may publish (OME AdmissionWebhooks)
    open,     // like the original: seats follow whatever streams OME has
};

struct room_def {
    std::string id;                        // [a-z0-9-_]{1,32}, unique
    std::string title;                     // shown in the page header
    unsigned seats = 9;                    // 1..64
    std::string stream_prefix = "stream";  // seat i streams "<prefix><i>"
    friend bool operator==(const room_def&, const room_def&) = default;
};

struct ws_limits {
    std::size_t max_message_bytes = 4096;  // a bigger frame closes the socket (1009)
    unsigned commands_per_second = 20;     // token bucket, burst = 2x
    std::size_t max_connections_per_room = 20000;
    std::size_t max_connections_total = 50000;
    std::size_t send_queue_messages = 512;    // a viewer further behind is dropped
    std::size_t max_http_connections = 1024;  // plain HTTP (not yet upgraded); more get 503
    millis handshake_timeout{5000};
    millis idle_timeout{60000};  // no pong within this closes
};

struct room_service_config {
    endpoint listen{"0.0.0.0", 5000};
    // GET /metrics (Prometheus) lives here, not on `listen`, which answers
    // it with 404. Loopback unless a deployment opens it to its scraper.
    endpoint metrics{"127.0.0.1", 9591};
    std::string web_root = "web/dist";
    // Origins allowed to open /ws. Empty list: any origin whose host matches
    // the request's Host header (same origin). "*" allows all.
    std::vector<std::string> allowed_origins;
    // Sites that may show the page in a frame (CSP frame-ancestors). Empty:
    // none may ('none', and X-Frame-Options: DENY).
    std::vector<std::string> frame_ancestors;
    endpoint gateway{"127.0.0.1", 9600};  // internal protocol, room connects
    // Several gateways (issue 12): this replica links to every one of them,
    // so each gateway can answer any webhook. Empty: `gateway` alone.
    std::vector<endpoint> gateways;
    millis lease{30000};            // reserved seat must go live within this
    millis disconnect_grace{5000};  // holder gone: seat freed after this
    millis presence_interval{250};  // viewer-count updates coalesced to this
    // Lets a person who enters it on /r/<room>?mod end broadcasts and lock
    // seats. Secret; env OVENSPACE_MODERATOR_SECRET overrides; empty turns
    // moderation off; else at least 16 characters.
    std::string moderator_secret;
    ws_limits limits;
    std::size_t max_http_body_bytes = 8192;
    millis shutdown_timeout{5000};
    // Where the seats' holds (token hashes, never tokens), on-air seats and
    // moderator marks are kept across a restart (docs/decisions.md); written
    // atomically (0600) shortly after each change, read before the listener
    // opens. Empty: not kept (a restart ends every broadcast).
    std::string state_file;
};

struct link_config {
    // Shared by every room replica and gateway; proven in the handshake,
    // never sent. Secret; env OVENSPACE_LINK_SECRET(_FILE) overrides.
    std::string secret;
    millis handshake_timeout{2000};          // connect to authenticated, or closed
    std::size_t max_pending_handshakes = 8;  // gateway: unauthenticated connections held
    std::size_t max_line_bytes = 65536;
    // More than ome.api.timeout (checked): the room's kick waits for the
    // gateway's first DELETE, which may take that long and still succeed.
    millis request_timeout{3000};
    millis heartbeat_interval{2000};
    millis heartbeat_timeout{6000};  // nothing received for this long: peer is dead
    millis reconnect_min{200};
    millis reconnect_max{5000};
};

struct gateway_config {
    endpoint http{"0.0.0.0", 9595};    // webhooks (POST /v1/admission), health
    endpoint link{"127.0.0.1", 9600};  // internal protocol server
    // GET /metrics (Prometheus) lives here, not on `http`, which answers it
    // with 404. Loopback unless a deployment opens it to its scraper.
    endpoint metrics{"127.0.0.1", 9596};
    millis poll_interval{1000};
    millis poll_backoff_max{10000};
    millis admission_timeout{500};  // answer OME within this (OME waits up to 3 s)
    std::size_t max_webhook_body_bytes = 16384;
    std::size_t max_http_connections = 256;  // open at once; more get 503
    // A stream OME admitted is "starting" until its outputs (what viewers
    // play) exist: the gateway asks OME for the stream's details every
    // outputs_probe_interval, and calls it "failed" after outputs_timeout.
    millis outputs_probe_interval{250};
    millis outputs_timeout{15000};
};

// Where the room service keeps seats, holds and sequence numbers
// (docs/store.md): in its own memory (one replica), or in Redis (any number).
enum class store_kind { memory, redis };

struct store_config {
    store_kind kind = store_kind::memory;
    struct redis_t {
        // redis://[[user]:password@]host[:port][/db]; a secret when it holds a
        // password; env OVENSPACE_REDIS_URL overrides.
        std::string url;
        std::string key_prefix = "ovs";  // several spaces may share one Redis
        millis connect_timeout{2000};
        millis request_timeout{1000};  // no answer within this: the connection is closed
        millis reconnect_min{100};
        millis reconnect_max{2000};
        millis heartbeat{1000};         // this replica's heartbeat key lives 3x this
        millis maintain{1000};          // expiry and dead-replica cleanup, every replica
        std::size_t log_events = 1000;  // events kept per room for replicas that missed some
    } redis;
};

struct config {
    std::string source;  // file it was loaded from, for messages
    admission_mode mode = admission_mode::webhook;
    ome_config ome;
    room_service_config room;
    gateway_config gateway;
    link_config link;
    store_config store;
    std::vector<room_def> rooms;  // at least one
};

// A config problem, naming the file, the key path, the line, what was
// expected and what was found:
//   "deploy/ovenspace.yaml: room.limits.commands_per_second (line 31): expected
//    an integer from 1 to 1000, got 'fast'"
// Secret values never appear in these messages.
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The environment variables that override the secrets. Each also exists with
// the suffix "_FILE" (OVENSPACE_LINK_SECRET_FILE=/run/secrets/link): the
// secret is then read from that file (trailing line breaks dropped), as
// mounted Docker and Kubernetes secrets provide it. Setting both is an error.
inline constexpr const char* env_ome_api_token = "OVENSPACE_OME_API_TOKEN";
inline constexpr const char* env_webhook_secret = "OVENSPACE_WEBHOOK_SECRET";
inline constexpr const char* env_link_secret = "OVENSPACE_LINK_SECRET";
// link.secret must be at least this long (proto::min_link_secret_bytes).
inline constexpr std::size_t min_link_secret_bytes = 16;
inline constexpr const char* env_moderator_secret = "OVENSPACE_MODERATOR_SECRET";
// Not a secret: the host browsers and encoders dial (ome.host), so a compose
// or Kubernetes deployment sets it next to OME_HOST_IP without editing YAML.
inline constexpr const char* env_ome_host = "OVENSPACE_OME_HOST";
// The Redis URL (store: redis); a secret when it holds a password.
inline constexpr const char* env_redis_url = "OVENSPACE_REDIS_URL";

// Looks up an environment variable; nullopt when unset. Injectable for tests.
using env_lookup = std::function<std::optional<std::string>(const char* name)>;

// The real process environment (std::getenv).
env_lookup process_env();

// Least privilege: whose secrets one load reads and requires.
//   room:    link.secret only. The OME token and the webhook secret are not
//            read from the environment, and dropped if the file has them.
//   gateway: link.secret, ome.api.access_token and ome.webhook_secret (in
//            both modes: no webhook is ever accepted unsigned).
//   both:    all three (a tool checking a file shared by both services).
enum class secrets_for { room, gateway, both };

// Reads and validates a file; unknown keys are errors. Secrets are then taken
// from the environment when set (see the env_* names above), and only after
// that are the required secrets of `who` checked, so a file without secrets
// is fine when the environment supplies them. link.secret must have at least
// 16 characters. Throws config_error. The forms without `lookup` use the
// process environment; the forms without `who` mean secrets_for::both.
config load_file(const std::string& path, secrets_for who);
config load_file(const std::string& path, secrets_for who, const env_lookup& lookup);
config load_file(const std::string& path);
config load_file(const std::string& path, const env_lookup& lookup);

// Same, from YAML text (tests); `source` names it in messages.
config load_string(const std::string& yaml, const std::string& source, secrets_for who);
config load_string(const std::string& yaml,
                   const std::string& source,
                   secrets_for who,
                   const env_lookup& lookup);
config load_string(const std::string& yaml, const std::string& source);
config load_string(const std::string& yaml, const std::string& source, const env_lookup& lookup);

// Applies the environment overrides of `who`'s secrets (and ome.host) to an
// already loaded config. A variable that is set and non-empty replaces the
// file's value; an empty one is ignored; NAME_FILE names a file holding the
// value. Throws config_error (naming the variable, never its value) when the
// value holds control characters (a stray newline in a variable), when both
// NAME and NAME_FILE are set, or when the file cannot be read. Does not check
// for required secrets: load_file/load_string do that afterwards.
void apply_env(config& cfg, env_lookup lookup, secrets_for who = secrets_for::both);

// A multi-line, human-readable summary for the startup log. Secrets are shown
// only as "(set)" or "(not set)".
std::string describe(const config& cfg);

// The OME stream name of seat `seat` (0-based) in `room`: "<prefix><seat>".
inline std::string stream_name(const room_def& room, unsigned seat)
{
    return room.stream_prefix + std::to_string(seat);
}

// Every gateway a room replica links to: room.gateways, else room.gateway.
inline std::vector<endpoint> gateway_endpoints(const room_service_config& room)
{
    return room.gateways.empty() ? std::vector<endpoint>{room.gateway} : room.gateways;
}

// Where the gateway reaches the OME API: ome.api.host, or ome.host when empty.
inline const std::string& api_host(const ome_config& ome)
{
    return ome.api.host.empty() ? ome.host : ome.api.host;
}

}  // namespace ovs::config
