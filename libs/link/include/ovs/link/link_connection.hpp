#pragma once
// One internal-protocol connection over one TCP socket (proto/internal.md).
//
// Both ends use this class; link_server and link_client create it for you.
// On start() it runs the authenticated handshake (proto/handshake.hpp): it
// sends `hello` with a fresh nonce, expects the peer's `hello` (same protocol
// version, the expected role if link_options::peer_role is set) and `auth`
// (proof that the peer knows limits.secret) within limits.handshake_timeout,
// and then calls on_ready. Before that nothing but the handshake is accepted,
// and no handshake line may exceed proto::handshake_max_line_bytes; a failure
// sends one `error` and closes, and handshake_failure() says why. After it:
//   - send_event() queues an event (bounded queue, one writer coroutine);
//   - request() sends a request with a fresh id and waits for its reply, or
//     produces an error reply with code "timeout" / "closed" / "not_connected";
//   - incoming events go to on_event, incoming requests to on_request with a
//     responder (exactly one reply each, see responder.hpp);
//   - it sends `ping` every heartbeat_interval, answers `ping` with `pong`,
//     and closes when nothing at all arrived for heartbeat_timeout.
// A malformed or oversized line, or a protocol violation, sends one `error`
// message (best effort) and closes this connection, logging the reason.
// close() is idempotent; on_closed runs once, later, from the io_context.
//
// Threading: everything, callbacks included, runs on the socket's executor;
// call the public functions from that executor only (one io_context thread).

#include <ovs/link/link_options.hpp>
#include <ovs/link/responder.hpp>
#include <ovs/net/net.hpp>
#include <ovs/proto/handshake.hpp>
#include <ovs/proto/line_framer.hpp>
#include <ovs/proto/messages.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace ovs::link {

using tcp = asio::ip::tcp;
using millis = std::chrono::milliseconds;

struct link_handlers {
    std::function<void()> on_ready;  // both hellos exchanged
    std::function<void(proto::event)> on_event;
    // Unset: requests are answered with error "unsupported".
    std::function<void(proto::request, responder)> on_request;
    std::function<void(const std::string& reason)> on_closed;
};

class link_connection : public std::enable_shared_from_this<link_connection> {
public:
    static std::shared_ptr<link_connection> create(tcp::socket socket, link_options options);
    ~link_connection();

    // Set before start().
    void set_handlers(link_handlers handlers);
    void start();

    // Queues an event. False when the connection is not ready or is closing
    // (nothing is sent), or when the queue was full or the encoded line
    // exceeds max_line_bytes (the event is dropped and logged; a full queue
    // also closes the connection).
    bool send_event(const proto::event& e);

    // Sends a request (its id is assigned here) and waits for the reply.
    // Never throws for protocol reasons: failures are error replies with the
    // codes "timeout", "closed", "not_connected" or "too_large".
    // timeout defaults to limits.request_timeout.
    // (A plain function returning the coroutine: g++ 12 mis-destroys a
    // temporary argument passed straight to a coroutine inside co_await.)
    asio::awaitable<proto::reply> request(proto::request req, std::optional<millis> timeout = {});
    // The same for callback code; `done` runs exactly once.
    void request(proto::request req,
                 std::function<void(proto::reply)> done,
                 std::optional<millis> timeout = {});

    // Closes the socket now and fails pending requests with "closed".
    void close(std::string reason = "closed locally");

    // Closes a connection still in its handshake, counted as "evicted" (the
    // server makes room for a newer one). No effect once authenticated.
    void evict(const std::string& why);

    bool is_ready() const { return state_ == state::ready; }
    bool is_closed() const { return state_ == state::closed; }
    bool is_handshaking() const { return state_ == state::handshaking; }
    // "ip:port" of the peer, for logs (kept after close).
    const std::string& peer() const { return peer_; }
    // The peer's IP address alone.
    const std::string& peer_address() const { return peer_address_; }
    std::chrono::steady_clock::time_point started_at() const { return started_at_; }
    // Why the handshake failed, as a metrics label: "bad_proof", "version",
    // "role", "bad_hello", "unexpected", "malformed", "timeout", "evicted",
    // "abandoned" (the peer hung up), "peer_error" (the peer refused us).
    // Empty while it has not failed (or the connection was closed locally).
    const std::string& handshake_failure() const { return handshake_failure_; }

private:
    friend class responder;
    enum class state { created, handshaking, ready, closing, closed };
    struct pending_request {
        explicit pending_request(const asio::any_io_executor& ex) : timer(ex) {}
        asio::steady_timer timer;
        std::optional<proto::reply> result;
    };

    link_connection(tcp::socket socket, link_options options);

    asio::awaitable<void> reader();
    asio::awaitable<void> writer();
    asio::awaitable<void> heartbeat();
    asio::awaitable<proto::reply> do_request(proto::request req, std::optional<millis> timeout);
    asio::awaitable<void> request_to_callback(proto::request req,
                                              std::function<void(proto::reply)> done,
                                              std::optional<millis> timeout);

    void handle_line(const std::string& line);
    void handle_handshake_line(const std::string& line);
    void refuse(const proto::handshake_failure& failure);
    void handle_message(proto::message m);
    void send_reply(std::uint64_t id, proto::reply_body body);
    bool enqueue(std::string line);
    void protocol_error(std::string code, std::string text);
    void finish_close(std::string reason);
    void log(const std::string& what) const;

    tcp::socket socket_;
    link_options opt_;
    link_handlers handlers_;
    proto::line_framer framer_;
    std::string peer_;
    std::string peer_address_;
    state state_ = state::created;
    std::optional<proto::handshake> handshake_;
    std::string handshake_failure_;
    std::chrono::steady_clock::time_point started_at_;
    std::string close_reason_;

    std::deque<std::string> outbox_;
    asio::steady_timer writer_wake_;
    asio::steady_timer heartbeat_timer_;
    asio::steady_timer linger_timer_;
    std::chrono::steady_clock::time_point last_received_;
    std::chrono::steady_clock::time_point last_ping_;

    std::uint64_t next_id_ = 1;
    std::unordered_map<std::uint64_t, std::shared_ptr<pending_request>> pending_;
};

}  // namespace ovs::link
