// The tables: every key of the config file, once. Order matters: it is the
// order keys are read in (ome.edges after the origin's ports they default
// to), listed in "expected one of the keys" and shown by describe().

#include "loader.hpp"
#include "schema_kinds.hpp"

namespace ovs::config::detail {

namespace {

// Ranges: wide enough for any real deployment, narrow enough to catch a value
// in the wrong unit (seconds where milliseconds are meant, and the reverse).
constexpr long long second = 1000;
constexpr long long minute = 60 * second;
constexpr long long kib = 1024;
constexpr long long mib = 1024 * kib;

using api_t = ome_config::api_t;
using redis_t = store_config::redis_t;

const section_spec& ome_api_schema()
{
    static const section_spec s{
        "ome.api",
        {text_key("host",
                  &api_t::host,
                  optional_host_text,
                  "where the gateway reaches the API; empty = ome.host",
                  "(ome.host)"),
         boolean_key("tls", &api_t::tls, "https to the API"),
         port_key("port", &api_t::port, "the API's port"),
         secret_key("access_token",
                    &api_t::access_token,
                    env_ome_api_token,
                    read_by::gateway,
                    "the API's access token; gateway: required"),
         text_key("ca_file",
                  &api_t::ca_file,
                  any_text,
                  "CA bundle for https to the API; empty = the system store",
                  "(system store)"),
         duration_key(
             "timeout_ms", &api_t::timeout, 100, minute, "per request, connect to last byte")},
        nullptr,
        [](const config& c) {
            return std::string(c.ome.api.tls ? "https://" : "http://") +
                   show_endpoint({api_host(c.ome), c.ome.api.port});
        }};
    return s;
}

const section_spec& ome_schema()
{
    static const section_spec s{
        "ome",
        {with_env(text_key("host",
                           &ome_config::host,
                           host_text,
                           "what browsers and encoders dial; a domain for TLS"),
                  env_ome_host),
         nested_key("api", "the OME REST API", ome_api_schema()),
         text_key("vhost", &ome_config::vhost, url_segment_text, "OME virtual host"),
         text_key("app", &ome_config::app, url_segment_text, "OME application"),
         text_key("version",
                  &ome_config::version,
                  non_empty_text,
                  "hint for URL shapes until /v1/version answers"),
         port_key("rtmp_port", &ome_config::rtmp_port, "RTMP ingest"),
         port_key("srt_port", &ome_config::srt_port, "SRT ingest"),
         tls_port_key("webrtc_provider", &ome_config::webrtc_provider, "WebRTC and WHIP ingest"),
         tls_port_key("webrtc_publisher", &ome_config::webrtc_publisher, "WebRTC playback"),
         tls_port_key("llhls", &ome_config::llhls, "LL-HLS playback"),
         secret_key("webhook_secret",
                    &ome_config::webhook_secret,
                    env_webhook_secret,
                    read_by::gateway,
                    "signs OME's admission webhooks; gateway: required"),
         custom_key(
             "edges",
             "playback edges pulling from this origin; empty: viewers play from the origin",
             [](map_reader& m, config& c) { read_edges(m, c.ome); },
             [](const config& c) {
                 std::string out;
                 for (const auto& e : c.ome.edges) {
                     out += (out.empty() ? "" : " ") + e.name + " (host " + e.host +
                            ", webrtc_publisher " + show_tls_port(e.webrtc_publisher) + ", llhls " +
                            show_tls_port(e.llhls) + ", probe_host " +
                            show_text(e.probe_host, e.host.c_str()) + ")";
                 }
                 return show_text(out, "(none)");
             },
             [](const config& a, const config& b) { return a.ome.edges == b.ome.edges; })},
        nullptr,
        nullptr};
    return s;
}

const section_spec& limits_schema()
{
    using l = ws_limits;
    static const section_spec s{
        "room.limits",
        {integer_key("max_message_bytes",
                     &l::max_message_bytes,
                     256,
                     mib,
                     "a bigger browser frame closes the socket (1009)"),
         integer_key("commands_per_second",
                     &l::commands_per_second,
                     1,
                     1000,
                     "per connection, token bucket with a burst of 2x"),
         integer_key("max_connections_per_room",
                     &l::max_connections_per_room,
                     1,
                     1000000,
                     "viewers per room"),
         integer_key("max_connections_total",
                     &l::max_connections_total,
                     1,
                     1000000,
                     "viewers in all rooms"),
         integer_key("send_queue_messages",
                     &l::send_queue_messages,
                     1,
                     65536,
                     "a viewer further behind is dropped"),
         integer_key("max_http_connections",
                     &l::max_http_connections,
                     1,
                     1000000,
                     "plain HTTP connections at once; more get 503"),
         duration_key(
             "handshake_timeout_ms", &l::handshake_timeout, 100, minute, "WebSocket upgrade"),
         duration_key("idle_timeout_ms",
                      &l::idle_timeout,
                      second,
                      60 * minute,
                      "no pong within this closes")},
        nullptr,
        nullptr};
    return s;
}

const section_spec& room_schema()
{
    using r = room_service_config;
    static const section_spec s{
        "room",
        {endpoint_key("listen", &r::listen, true, "the page, REST and /ws"),
         endpoint_key("metrics", &r::metrics, true, "GET /metrics for Prometheus (404 on listen)"),
         text_key("web_root", &r::web_root, non_empty_text, "the built page (web/dist)"),
         text_list_key("allowed_origins",
                       &r::allowed_origins,
                       origin_text,
                       "origins that may open /ws; empty: same origin; \"*\": any",
                       "(same origin)"),
         text_list_key("frame_ancestors",
                       &r::frame_ancestors,
                       origin_text,
                       "sites that may frame the page (CSP); empty: none",
                       "(none)"),
         endpoint_key("gateway", &r::gateway, false, "the gateway's link address"),
         custom_key(
             "gateways",
             "every gateway this replica links to; empty: room.gateway alone",
             [](map_reader& m, config& c) { read_gateways(m, c.room.gateways); },
             [](const config& c) {
                 std::string out;
                 for (const auto& g : c.room.gateways) {
                     out += (out.empty() ? "" : " ") + show_endpoint(g);
                 }
                 return show_text(out, "(room.gateway alone)");
             },
             [](const config& a, const config& b) { return a.room.gateways == b.room.gateways; }),
         duration_key("lease_ms",
                      &r::lease,
                      second,
                      10 * minute,
                      "a reserved seat must go live within this"),
         duration_key("disconnect_grace_ms",
                      &r::disconnect_grace,
                      0,
                      10 * minute,
                      "a holder gone this long frees the seat"),
         duration_key("presence_interval_ms",
                      &r::presence_interval,
                      10,
                      10 * second,
                      "viewer-count updates coalesced to this"),
         secret_key("moderator_secret",
                    &r::moderator_secret,
                    env_moderator_secret,
                    read_by::room,
                    "moderation on /r/<room>?mod; empty: off, else 16+ characters"),
         nested_key("limits", "per-connection and per-room limits", limits_schema()),
         integer_key(
             "max_http_body_bytes", &r::max_http_body_bytes, 256, mib, "REST request bodies"),
         duration_key("shutdown_timeout_ms",
                      &r::shutdown_timeout,
                      100,
                      5 * minute,
                      "connections get this long to close on SIGTERM"),
         text_key("state_file",
                  &r::state_file,
                  any_text,
                  "seats and holds kept across a restart; empty: not kept",
                  "(none)")},
        nullptr,
        nullptr};
    return s;
}

const section_spec& gateway_schema()
{
    using g = gateway_config;
    static const section_spec s{
        "gateway",
        {endpoint_key("http", &g::http, true, "OME's webhooks (POST /v1/admission) and health"),
         endpoint_key("link", &g::link, true, "the room service connects here"),
         endpoint_key("metrics", &g::metrics, true, "GET /metrics for Prometheus (404 on http)"),
         duration_key(
             "poll_interval_ms", &g::poll_interval, 100, minute, "OME's stream list, polled"),
         duration_key("poll_backoff_max_ms",
                      &g::poll_backoff_max,
                      100,
                      10 * minute,
                      "polling backs off to this while OME fails"),
         // OME gives up on the webhook after 3 s; answering later is useless.
         duration_key("admission_timeout_ms",
                      &g::admission_timeout,
                      10,
                      2900,
                      "answer OME's webhook within this (OME waits up to 3 s)"),
         integer_key(
             "max_webhook_body_bytes", &g::max_webhook_body_bytes, kib, mib, "webhook bodies"),
         integer_key("max_http_connections",
                     &g::max_http_connections,
                     1,
                     1000000,
                     "open at once; more are answered 503"),
         // One stream-details request per starting stream per interval: more
         // often than 20/s buys nothing (players start in ~100 ms steps anyway).
         duration_key("outputs_probe_interval_ms",
                      &g::outputs_probe_interval,
                      50,
                      5000,
                      "a starting stream's details are asked for this often"),
         // A WebRTC input needs ~4 s; anything past two minutes is not coming.
         duration_key("outputs_timeout_ms",
                      &g::outputs_timeout,
                      1000,
                      2 * minute,
                      "a stream without outputs this long is failed")},
        nullptr,
        nullptr};
    return s;
}

const section_spec& link_schema()
{
    using l = link_config;
    static const section_spec s{
        "link",
        {secret_key("secret",
                    &l::secret,
                    env_link_secret,
                    read_by::both,
                    "shared by every replica and gateway; required, 16+ characters"),
         duration_key("handshake_timeout_ms",
                      &l::handshake_timeout,
                      100,
                      minute,
                      "connect to authenticated, or closed"),
         integer_key("max_pending_handshakes",
                     &l::max_pending_handshakes,
                     1,
                     1024,
                     "unauthenticated connections the gateway holds"),
         integer_key("max_line_bytes", &l::max_line_bytes, kib, 16 * mib, "one protocol line"),
         duration_key("request_timeout_ms",
                      &l::request_timeout,
                      10,
                      minute,
                      "a request's answer; more than ome.api.timeout_ms"),
         duration_key(
             "heartbeat_interval_ms", &l::heartbeat_interval, 100, minute, "heartbeats sent"),
         duration_key("heartbeat_timeout_ms",
                      &l::heartbeat_timeout,
                      100,
                      10 * minute,
                      "nothing received this long: the peer is dead"),
         duration_key("reconnect_min_ms", &l::reconnect_min, 10, minute, "first reconnect delay"),
         duration_key(
             "reconnect_max_ms", &l::reconnect_max, 10, 10 * minute, "reconnect delay cap")},
        nullptr,
        nullptr};
    return s;
}

const section_spec& redis_schema()
{
    static const section_spec s{
        "redis",
        {secret_key("url",
                    &redis_t::url,
                    env_redis_url,
                    read_by::room,
                    "redis://[[user]:password@]host[:port][/db]; required with store: redis"),
         text_key("key_prefix",
                  &redis_t::key_prefix,
                  stream_prefix_text,
                  "every key and channel starts with it"),
         duration_key("connect_timeout_ms", &redis_t::connect_timeout, 100, minute, "connecting"),
         duration_key("request_timeout_ms",
                      &redis_t::request_timeout,
                      10,
                      minute,
                      "a request unanswered this long closes the connection"),
         duration_key(
             "reconnect_min_ms", &redis_t::reconnect_min, 10, minute, "first reconnect delay"),
         duration_key(
             "reconnect_max_ms", &redis_t::reconnect_max, 10, 10 * minute, "reconnect delay cap"),
         duration_key("heartbeat_ms",
                      &redis_t::heartbeat,
                      100,
                      minute,
                      "a replica's heartbeat key lives 3x this"),
         duration_key("maintain_ms",
                      &redis_t::maintain,
                      100,
                      minute,
                      "lease expiry and dead-replica cleanup, by every replica"),
         integer_key("log_events",
                     &redis_t::log_events,
                     10,
                     1000000,
                     "events kept per room for replicas that missed some")},
        [](const config& c) { return c.store.kind == store_kind::redis; },
        nullptr};
    return s;
}

}  // namespace

// The whole document; the sections above hang under its keys.
const section_spec& document_schema()
{
    static const section_spec d{
        "",
        {choice_key("mode",
                    &config::mode,
                    {{"webhook", admission_mode::webhook}, {"open", admission_mode::open}},
                    "webhook: only a seat's token holder may publish; open: seats follow OME"),
         nested_key("ome", "the OME origin", ome_schema()),
         nested_key("room", "the room service", room_schema()),
         nested_key("gateway", "the gateway", gateway_schema()),
         nested_key("link", "the link between room services and gateways", link_schema()),
         choice_key("store",
                    &store_config::kind,
                    {{"memory", store_kind::memory}, {"redis", store_kind::redis}},
                    "where seats are kept: this process, or Redis shared by replicas"),
         nested_key("redis", "the Redis store (store: redis)", redis_schema()),
         custom_key(
             "rooms",
             "required: at least one room; ids and stream names unique",
             [](map_reader& m, config& c) { read_rooms(m, c.rooms); },
             [](const config& c) {
                 std::string out = std::to_string(c.rooms.size());
                 for (const auto& r : c.rooms) {
                     out += "\n    " + r.id + " \"" + r.title + "\": " + std::to_string(r.seats) +
                            " seats, streams " + stream_name(r, 0) + " .. " +
                            stream_name(r, r.seats == 0 ? 0 : r.seats - 1);
                 }
                 return out;
             },
             nullptr)},
        nullptr,
        nullptr};
    return d;
}

}  // namespace ovs::config::detail
