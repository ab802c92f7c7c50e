#pragma once
// The gateway's side of the internal link, as the rest of the gateway needs
// it: a libs/link server on gateway.link (one active room connection; a newer
// one replaces it; or, with several room replicas, every replica's
// connection: keep_all), events to the room, requests to the room, and hooks for
// "a room is connected" (send it endpoints, media_status and the streams
// snapshot) and "the room asks" (kick). Single-threaded: everything runs on
// the executor given here.

#include <ovs/link/link_options.hpp>
#include <ovs/link/responder.hpp>
#include <ovs/net/net.hpp>
#include <ovs/proto/messages.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace ovs::link {
class link_server;
}

namespace ovs::gateway {

struct room_link_hooks {
    // A room connection finished its hello and is now the active one.
    std::function<void()> on_connected;
    // The active room connection is gone.
    std::function<void(const std::string& reason)> on_disconnected;
    // A request from the room (kick). Answer through the responder.
    std::function<void(proto::request, link::responder)> on_request;
};

class room_links {
public:
    // `keep_all` (store: redis, any number of room replicas): every replica's
    // connection stays; events go to all, on_connected runs for each new one,
    // requests go to one after another until one answers (they share the
    // store, so any of them answers alike).
    room_links(asio::any_io_executor ex,
               link::link_options options,
               room_link_hooks hooks,
               bool keep_all = false);
    ~room_links();
    room_links(const room_links&) = delete;
    room_links& operator=(const room_links&) = delete;

    // Binds and starts accepting; throws boost::system::system_error when the
    // address cannot be bound. Returns the bound port.
    std::uint16_t listen(const std::string& address, std::uint16_t port);

    // Sends to the active room; false when there is none.
    bool send(const proto::event& e);

    // Asks the active room. Without one, or without an answer within
    // `timeout`, the reply is an error (codes "not_connected", "timeout",
    // "closed"): callers treat every error as "no".
    asio::awaitable<proto::reply> request(proto::request req, std::chrono::milliseconds timeout);

    bool connected() const;
    std::size_t ready_count() const;  // room connections with a completed hello

    // Room connections refused before they authenticated, by reason
    // ("bad_proof", "timeout", "evicted", ...; see link_connection).
    const std::map<std::string, std::uint64_t>& handshake_failures() const;

    // Stops accepting and closes the connection. Idempotent.
    void stop();

private:
    std::shared_ptr<link::link_server> server_;
    bool keep_all_ = false;
};

}  // namespace ovs::gateway
