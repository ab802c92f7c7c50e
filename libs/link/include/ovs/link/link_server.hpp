#pragma once
// The gateway's side of the link: listens on gateway.link and keeps ONE
// active room connection.
//
//   auto server = ovs::link::link_server::create(ioc.get_executor(), options);
//   server->set_handlers({.on_connected = [&] { send_snapshot(*server); },
//                         .on_request = handle_kick});
//   server->listen(cfg.gateway.link);        // throws if it cannot bind
//   ...
//   server->send_event(ovs::proto::stream_up{info});
//   auto rep = co_await server->request(ovs::proto::admission_check{...},
//                                       cfg.gateway.admission_timeout);
//   server->stop();
//
// Replacement rule: a newly accepted connection becomes the active one as
// soon as its hello is accepted; the previous active connection is then
// closed ("replaced by a newer connection") and on_connected runs for the new
// one (on_disconnected does not run for the replaced one). Only an
// authenticated connection (proof of the link secret) can become active:
// connections still in their handshake never disturb the active one. At most
// limits.max_pending_handshakes of them exist at a time; when another peer
// connects, one of them is evicted to make room (handshake_slots.hpp).
//
// Several room replicas (docs/store.md): after keep_all_connections(), every
// authenticated connection stays (one per replica) and none replaces
// another. Events go to all of them, each new one is greeted on its own
// (on_each_ready), requests go to one of them with failover (request_any),
// and on_disconnected runs when the last one is gone.

#include <ovs/config/config.hpp>
#include <ovs/link/link_peer.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <set>
#include <vector>

namespace ovs::link {

class link_server : public link_peer, public std::enable_shared_from_this<link_server> {
public:
    static std::shared_ptr<link_server> create(asio::any_io_executor ex, link_options options);

    // Binds (address may be an IP literal or a host name), then accepts
    // until stop(). Port 0 picks a free port (see local_endpoint()). Throws
    // boost::system::system_error when it cannot bind.
    void listen(const config::endpoint& where);
    tcp::endpoint local_endpoint() const;

    // Stops accepting and closes every connection. Idempotent; no handler
    // runs afterwards.
    void stop();

    // Keep every ready connection (see above). Call before listen().
    // `on_each_ready` runs for each connection that completes its handshake
    // (instead of on_connected).
    void keep_all_connections(std::function<void(std::shared_ptr<link_connection>)> on_each_ready);
    std::size_t ready_count() const;
    bool connected() const { return ready_count() > 0; }
    // To every ready connection (keep_all) or the active one; false when
    // none took it.
    bool send_event(const proto::event& e);
    bool send_event_to(const std::shared_ptr<link_connection>& conn, const proto::event& e);
    // keep_all: asks one ready connection after another (round robin start),
    // each with its share of what is left of `timeout`, until one answers
    // with anything but a local timeout/closed/not_connected. Otherwise the
    // active connection, as request().
    asio::awaitable<proto::reply> request_any(proto::request req, millis timeout);

private:
    link_server(asio::any_io_executor ex, link_options options);
    asio::awaitable<void> accept_loop();
    void adopt(tcp::socket socket);
    void connection_ready(const std::shared_ptr<link_connection>& conn) override;
    void connection_closed(const std::shared_ptr<link_connection>& conn,
                           const std::string& reason) override;

    bool is_current(const std::shared_ptr<link_connection>& conn) const override;

    tcp::acceptor acceptor_;
    bool keep_all_ = false;
    std::function<void(std::shared_ptr<link_connection>)> on_each_ready_;
    std::vector<std::shared_ptr<link_connection>> ready_;  // keep_all: every ready connection
    std::size_t next_ = 0;                                 // round robin for request_any
    asio::steady_timer retry_timer_;
    std::set<std::shared_ptr<link_connection>> handshaking_;
};

}  // namespace ovs::link
