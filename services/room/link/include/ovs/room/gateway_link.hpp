#pragma once
// The room service's end of the internal protocol (proto/internal.md): one
// link_client to cfg.room.gateway that feeds the gateway's events into a
// room_server and answers its admission checks.
//
//   ovs::room::room_server server(io, cfg);
//   ovs::room::gateway_link link(io.get_executor(), server, cfg);
//   server.start();
//   link.start();
//   ...
//   link.stop();          // before (or instead of waiting for) server.stop()
//
// Behaviour:
// - Events: `streams` -> on_streams_snapshot, `stream_up`/`stream_down` ->
//   on_stream_up/on_stream_down, `endpoints` -> on_endpoints, `media_status`
//   -> on_media_status (mappings in gateway_mapping.hpp).
// - Requests: `admission_check` is answered from room_server::check_admission
//   (see answer_admission_check for publish vs play); `seat_holds` from
//   room_server::held_streams (error "not_ready" while the room cannot be
//   sure of its holds); anything else gets the error "unsupported".
// - On every new link the kicks of ending seats are sent again (after the
//   held ones): the gateway keeps a kick until OME drops the stream, but a
//   gateway restart loses what it held, and a room restart restores ending
//   seats whose kick may never have reached the gateway.
// - Kicks: the room_server's kick sink sends a `kick` request. A failed kick
//   is logged. A kick that could not reach the gateway ("not_connected", or
//   "closed" while waiting for the reply) is kept (at most
//   max_undelivered_kicks, one per stream) and sent again right after the
//   next connect: the reconnect snapshot alone would not end that stream in
//   OME, it would show the freed seat live without a holder. The gateway
//   treats a kick of a stream OME does not have as done, so repeating one is
//   harmless. Kicks the gateway answered with an error (ome_error, ...) or
//   that timed out are not repeated: the gateway has them.
// - Link state: while the link is down browsers see media reachable=false,
//   stale=true (last known version kept) and /readyz, still 200, says the
//   room is degraded (the link probe). The room keeps serving its last
//   seat state. On every (re)connect the gateway sends its full snapshot,
//   endpoints and media status, which replace what the room knew.
//
// Threading: everything runs on the executor given (the room_server's
// io_context thread); call the public functions from that thread only. The
// room_server must outlive this object (the destructor stops the link and
// unhooks the kick sink and link probe).

#include <ovs/config/config.hpp>
#include <ovs/link/link_options.hpp>
#include <ovs/net/net.hpp>
#include <ovs/room/room_server.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <functional>
#include <memory>

namespace ovs::room {

class gateway_link {
public:
    static constexpr std::size_t max_undelivered_kicks = 1024;

    // `log` receives one line per notable thing (link state, failed kicks,
    // refused admissions); never tokens. Uses cfg.room.gateway, cfg.link and
    // cfg.mode.
    gateway_link(asio::any_io_executor ex,
                 room_server& server,
                 const config::config& cfg,
                 link::logger log = link::stderr_logger());
    // One of several (gateway_links): the link to `target`. The caller hooks
    // the server's kick sink and link probe; `others_up` says whether the
    // group has a link up, so losing this one leaves the media state alone
    // while another gateway still reports it.
    gateway_link(asio::any_io_executor ex,
                 room_server& server,
                 const config::config& cfg,
                 config::endpoint target,
                 std::function<bool()> others_up,
                 link::logger log);
    ~gateway_link();
    gateway_link(const gateway_link&) = delete;
    gateway_link& operator=(const gateway_link&) = delete;

    // Hooks the kick sink and link probe into the server, then starts
    // connecting (and reconnecting until stop()).
    void start();
    // Closes the link and stops reconnecting; /readyz says unlinked and kicks
    // are no longer forwarded. Idempotent.
    void stop();

    // True while a connection with a completed hello is up.
    bool connected() const;
    // Sends a kick now (kept for the next connect when it cannot go).
    void send_kick(const kick_stream& k);

    struct state;

private:
    std::shared_ptr<state> state_;
};

}  // namespace ovs::room
