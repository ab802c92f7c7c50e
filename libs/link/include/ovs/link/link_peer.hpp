#pragma once
// What link_server and link_client have in common: at most one active (ready)
// connection, and the calls the services use on it. Services hold a server or
// a client and talk through these functions, never through a raw connection.

#include <ovs/link/link_connection.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace ovs::link {

struct peer_handlers {
    // A connection finished its hello and is now the active one. The gateway
    // sends its full `streams` snapshot, `endpoints` and `media_status` here.
    std::function<void()> on_connected;
    // The active connection is gone and no other replaced it. Not called
    // after stop().
    std::function<void(const std::string& reason)> on_disconnected;
    // Events and requests arriving on the active connection.
    std::function<void(proto::event)> on_event;
    // Unset: requests are answered with error "unsupported".
    std::function<void(proto::request, responder)> on_request;
};

class link_peer {
public:
    // Set before starting the server or client.
    void set_handlers(peer_handlers handlers) { handlers_ = std::move(handlers); }

    bool connected() const { return active_ && active_->is_ready(); }

    // Connections whose handshake failed, by link_connection::handshake_failure()
    // label ("bad_proof", "timeout", ...): for /metrics.
    const std::map<std::string, std::uint64_t>& handshake_failures() const
    {
        return handshake_failures_;
    }

    // Closes the active connection, if any (on_disconnected follows). A
    // client then reconnects after its backoff; a server waits for the next.
    void disconnect(std::string reason);

    // Sends an event on the active connection; false (and nothing sent) when
    // there is none. See link_connection::send_event.
    bool send_event(const proto::event& e);

    // A request on the active connection. Without one, the reply is an error
    // with code "not_connected" (fail closed: callers treat any error reply
    // as "no"). See link_connection::request.
    // (A plain function returning the coroutine: g++ 12 mis-destroys a
    // temporary argument passed straight to a coroutine inside co_await.)
    asio::awaitable<proto::reply> request(proto::request req, std::optional<millis> timeout = {});
    void request(proto::request req,
                 std::function<void(proto::reply)> done,
                 std::optional<millis> timeout = {});

protected:
    // Throws std::invalid_argument when options.limits.secret is empty: a
    // link without a secret would accept anyone.
    explicit link_peer(asio::any_io_executor ex, link_options options);
    virtual ~link_peer() = default;

    // Handlers for a new connection that forward to this peer while the
    // connection is the active one. `owner` keeps the derived object alive
    // only weakly.
    link_handlers forwarders(std::weak_ptr<link_peer> owner, std::weak_ptr<link_connection> conn);
    // Called when a connection becomes ready / closes (derived classes decide).
    virtual void connection_ready(const std::shared_ptr<link_connection>& conn) = 0;
    // Whether events and requests arriving on `conn` are served (the active
    // connection; a server that keeps every connection serves them all).
    virtual bool is_current(const std::shared_ptr<link_connection>& conn) const
    {
        return conn && active_ == conn;
    }
    virtual void connection_closed(const std::shared_ptr<link_connection>& conn,
                                   const std::string& reason) = 0;

    static asio::awaitable<proto::reply> request_on(std::shared_ptr<link_connection> conn,
                                                    proto::request req,
                                                    std::optional<millis> timeout);

    asio::any_io_executor ex_;
    link_options opt_;
    peer_handlers handlers_;
    std::shared_ptr<link_connection> active_;
    std::map<std::string, std::uint64_t> handshake_failures_;
    bool stopped_ = false;
};

}  // namespace ovs::link
