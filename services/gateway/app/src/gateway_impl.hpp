#pragma once
// Internal: the state shared by the gateway's parts (poller, webhook
// endpoint, room links). One io_context thread owns all of it.

#include <ovs/config/config.hpp>
#include <ovs/gateway/admission_webhook.hpp>
#include <ovs/gateway/edge_rotation.hpp>
#include <ovs/gateway/gateway_service.hpp>
#include <ovs/gateway/link_greeting.hpp>
#include <ovs/gateway/metrics.hpp>
#include <ovs/gateway/ome_api.hpp>
#include <ovs/gateway/ome_http_client.hpp>
#include <ovs/gateway/outputs_watch.hpp>
#include <ovs/gateway/poll_policy.hpp>
#include <ovs/gateway/readiness.hpp>
#include <ovs/gateway/room_links.hpp>
#include <ovs/gateway/stream_book.hpp>
#include <ovs/log/log.hpp>
#include <ovs/net/server.hpp>
#include <ovs/proto/messages.hpp>

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ovs::gateway {

using steady_clock = std::chrono::steady_clock;

// Where the gateway's lines go: the test's sink when one was given, the
// process logger otherwise.
struct gateway_log {
    log_sink sink;
    void operator()(std::string_view line, log::level level = log::level::info) const;
};

struct gateway_service::impl : std::enable_shared_from_this<impl> {
    impl(asio::any_io_executor ex, config::config c, log_sink l);

    asio::any_io_executor executor;
    config::config cfg;
    gateway_log log;
    gateway_metrics metrics;

    // OME side
    ome_http_client ome;
    poll_policy policy;
    std::optional<ome_version> version;
    bool version_known = false;  // /v1/version answered (ok or 404) since the last recovery
    asio::steady_timer poll_wake;
    bool poll_soon = false;
    bool ever_polled = false;  // a stream list came back since the gateway started
    // A whole poll (list, details, what went down) is in `streams`: the room
    // may be told the streams. Set at the end of the first good poll after
    // which no listed stream waits for its details, not when its list
    // arrives: a room linking mid-poll would get a half view.
    bool view_complete = false;

    // Every stream's state: OME's list, the admitted publishers, the kicks
    // owed (kicks.cpp) and what the room was told. The parts below only act
    // on what it decides.
    stream_book streams;
    asio::steady_timer kick_wake;
    // Reconciliation after a room links (webhook mode): the room has not yet
    // said which seat streams it holds / the question is out.
    bool holds_wanted = false;
    bool holds_asking = false;

    // Viewers per live stream (OME's stats), as last sent to the room.
    std::map<std::string, std::uint64_t> viewers;

    // OME edges (ome.edges): which answer their probes (edge_probes.cpp)
    edge_rotation edges;
    std::vector<std::unique_ptr<ome_http_client>> edge_clients;  // one per configured edge
    asio::steady_timer edge_wake;
    // Which of them OME can play yet (their `outputs`), and the loop that
    // asks OME's stream details until it can (outputs.cpp).
    outputs_watch outputs;
    asio::steady_timer outputs_wake;

    // Room side and HTTP
    std::set<std::string> seat_streams;  // every seat's stream name, all rooms
    std::unique_ptr<room_links> links;   // made in start(): the hooks need weak_from_this()
    std::unique_ptr<net::server> http;
    std::unique_ptr<net::server> metrics_http;  // gateway.metrics: /metrics only
    std::uint16_t http_port = 0;
    std::uint16_t metrics_port = 0;
    std::uint16_t link_port = 0;
    bool stopped = false;

    // ---- events to the room (gateway_service.cpp)
    proto::endpoints endpoints() const;
    proto::media_status media_status() const;
    proto::streams snapshot() const;
    void greet();
    // What the outputs watch says of `info` (a stream new to it starts, and
    // wakes the outputs loop).
    void add_outputs(proto::stream_info& info);
    // Logs and sends what the stream book decided the room must hear.
    void tell_up(std::optional<stream_book::room_up> up, const char* how);
    void tell_down(std::optional<proto::stream_info> down, const char* why);
    void update_gauges();
    // /metrics: the gateway's counters and its HTTP server's.
    std::string metrics_text();

    // ---- OME (poller.cpp)
    static asio::awaitable<void> poll_loop(std::shared_ptr<impl> self);
    static asio::awaitable<void> poll_once(std::shared_ptr<impl> self);
    static asio::awaitable<void> fetch_version(std::shared_ptr<impl> self);
    static asio::awaitable<void> poll_viewers(std::shared_ptr<impl> self);
    void wake_poller();

    // ---- kicks (kicks.cpp)
    static asio::awaitable<void> handle_kick(std::shared_ptr<impl> self,
                                             proto::kick kick,
                                             link::responder responder);
    // One DELETE of an owed stream; its answer goes to `kicks`.
    static asio::awaitable<void> delete_stream(std::shared_ptr<impl> self, std::string stream);
    // Sends the DELETEs that are due, forever.
    static asio::awaitable<void> kick_loop(std::shared_ptr<impl> self);
    void wake_kicks();
    // After a good poll: ask the room for its seat holds when a new link has
    // not answered yet; seat streams OME has that no seat holds are kicked.
    void maybe_sweep_orphans();
    static asio::awaitable<void> sweep_orphans(std::shared_ptr<impl> self);
    // Logs the kicks a stream list confirmed (stream_book::list_seen).
    void kicks_confirmed(const std::vector<std::string>& streams);

    // ---- OME edges (edge_probes.cpp)
    static asio::awaitable<void> edge_loop(std::shared_ptr<impl> self);
    static asio::awaitable<void> probe_edges(std::shared_ptr<impl> self);
    // ---- outputs (outputs.cpp)
    static asio::awaitable<void> outputs_loop(std::shared_ptr<impl> self);
    // Sets the watched outputs state on a stream the room knows, and tells it.
    void set_outputs(const std::string& stream, proto::outputs_state state);
    // Logs the change and feeds the metrics (set_outputs does this too).
    void report_outputs(const std::string& stream, proto::outputs_state state);

    // ---- HTTP (gateway_http.cpp routes, admission_endpoint.cpp answers)
    // OME's webhook: `body` as received (the signature is over these bytes).
    static asio::awaitable<net::reply> handle_webhook(std::shared_ptr<impl> self,
                                                      std::string body,
                                                      std::optional<std::string> signature,
                                                      net::peer_info peer);
    // nullopt: admitted; otherwise why not.
    static asio::awaitable<std::optional<std::string>> admit_publisher(std::shared_ptr<impl> self,
                                                                       webhook_request hook);
    void handle_closing(const webhook_request& hook);
    // /readyz: readiness_of() (ovs/gateway/readiness.hpp) of what it knows now.
    net::readiness readiness() const;
};

// The names of ome.edges, in configuration order.
std::vector<std::string> edge_names(const config::ome_config& ome);

// stream_info for the room from OME's stream detail.
proto::stream_info to_stream_info(const stream_details& d);

}  // namespace ovs::gateway
