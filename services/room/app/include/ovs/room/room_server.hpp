#pragma once
// The room service's I/O shell: HTTP (static files, /api, health) and the
// browser WebSocket /ws on one listener, /metrics on another (room.metrics),
// around one room store (the embedded ovs::room::space, or Redis shared with
// other replicas; see docs/store.md).
// Everything runs on the io_context it is given (one thread); every public
// method must be called on that thread. Beast stays out of this header.
//
// The gateway link (implemented elsewhere) drives the on_* methods and asks
// check_admission(); kicks leave through the kick sink. Without a gateway the
// service still works: no publish/playback URLs, media reachable=false.

#include <ovs/config/config.hpp>
#include <ovs/room/space.hpp>
#include <ovs/room/store.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ovs::room {

// What the gateway reports about OME.
struct media_status {
    // nullopt: no word from the gateway (not linked yet, or the link is
    // down, e.g. while the gateway restarts): OME may well be fine.
    std::optional<bool> reachable;
    bool stale = true;
    std::string version;
};

// URL templates built by the gateway. Playback templates use `{stream}`;
// publish templates use `{stream}` and `{token}`. Keys become JSON keys on
// the wire (see proto/websocket.md: playback webrtc/llhls, publish
// webrtc/whip/rtmp_server/rtmp_key/rtmp/srt).
struct endpoint_templates {
    std::map<std::string, std::string> playback;  // the origin's
    std::map<std::string, std::string> publish;
    // OME edges in rotation (ome.edges); each viewer plays from one of them,
    // chosen by rendezvous hashing of its viewer key (edge_choice.hpp).
    struct edge {
        std::string name;
        std::map<std::string, std::string> playback;
    };
    std::vector<edge> edges;
};

using kick_sink = std::function<void(const kick_stream&)>;
// Whether the gateway link is up (for /readyz's body; never a reason to be
// unready: the room serves pages and WebSockets without it).
// How many gateway links are up (several gateways: room.gateways).
using link_probe = std::function<std::size_t()>;

// The room model's settings from the config (for a store built by the caller).
settings settings_from(const config::config& cfg);

class room_server {
public:
    // `cfg.room` and `cfg.rooms` are used, with the embedded store; `tokens`
    // defaults to the OS CSPRNG.
    room_server(boost::asio::io_context& io,
                const config::config& cfg,
                token_source tokens = random_tokens());
    // The same around a store of the caller's (started by the caller; it must
    // run on `io`).
    room_server(boost::asio::io_context& io,
                const config::config& cfg,
                std::shared_ptr<room_store> store);
    ~room_server();
    room_server(const room_server&) = delete;
    room_server& operator=(const room_server&) = delete;

    // SO_SNDBUF for every WebSocket (0 = the kernel's autotuning). Bounds the
    // kernel memory a stalled viewer can pin, and makes a stalled viewer show
    // up as a full send queue soon. Default 64 KiB; applies to later upgrades.
    void set_socket_send_buffer(int bytes);

    // Restores room.state_file (if set), then binds room.listen and starts
    // accepting. Throws boost::system::system_error. stop() saves the state.
    void start();
    // The bound address (port 0 in the config picks a free one).
    boost::asio::ip::tcp::endpoint local_endpoint() const;
    // Where /metrics is served once started (room.metrics; the public
    // listener refuses it).
    boost::asio::ip::tcp::endpoint metrics_endpoint() const;
    // Graceful stop: closes the listener, closes every WebSocket with 1001
    // (going away) and every idle HTTP connection. Idempotent. The io_context
    // runs out of this server's work once the close handshakes end;
    // `drained` (if given) is called when no connection is left.
    void stop(std::function<void()> drained = {});
    bool stopping() const;

    // -- the gateway seam (io thread only)
    void on_stream_up(const std::string& stream, const stream_info& info);
    void on_stream_down(const std::string& stream);
    void on_streams_snapshot(const std::map<std::string, stream_info>& streams);
    void on_media_status(const media_status& status);
    // Viewers per live stream, as OME counts them (stream name -> count).
    void on_stream_viewers(const std::map<std::string, std::size_t>& counts);
    void on_endpoints(const endpoint_templates& templates);
    // `done` runs exactly once, possibly before this returns (the embedded
    // store), possibly later (Redis); fail closed: the store unreachable is
    // a refusal (store_unavailable).
    void check_admission(const std::string& stream,
                         const std::string& token,
                         std::function<void(admission)> done);
    // seat_holds (proto/internal.md): the streams of every held seat, or
    // nullopt while the room cannot be sure of its holds (after a start
    // without a state file to restore them from, until holders have had the
    // grace to resume; with Redis, until it has loaded the rooms).
    std::optional<std::vector<std::string>> held_streams() const;
    // The streams of ending seats: kicks to send again on a new link.
    std::vector<std::string> ending_streams() const;
    void set_kick_sink(kick_sink sink);
    // /readyz answers 200 while accepting, whatever the link; when this probe
    // (if set) says the link is down, its body says the media state is stale.
    void set_link_probe(link_probe probe);

    // Prometheus text of the current counters (what /metrics serves on the
    // metrics listener).
    std::string metrics_text() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace ovs::room
