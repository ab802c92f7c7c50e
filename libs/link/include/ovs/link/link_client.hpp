#pragma once
// The room service's side of the link: connects to the gateway and keeps
// reconnecting until stop().
//
//   auto client = ovs::link::link_client::create(ioc.get_executor(), options,
//                                                cfg.room.gateway);
//   client->set_handlers({.on_connected = ..., .on_disconnected = mark_stale,
//                         .on_event = apply_stream_event,
//                         .on_request = answer_admission_check});
//   client->start();
//   ...
//   auto rep = co_await client->request(ovs::proto::kick{0, "stream3", "released"});
//   client->stop();
//
// Each attempt resolves the address (IP literals without a resolver),
// connects within heartbeat_timeout, and exchanges hellos. After a failed
// attempt or a lost connection it waits a backoff delay drawn from
// [reconnect_min, min(reconnect_max, reconnect_min * 2^n)] (full jitter; n
// counts attempts since the last connection that completed its hello) and
// tries again, forever.

#include <ovs/config/config.hpp>
#include <ovs/link/link_peer.hpp>
#include <ovs/proto/backoff.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>
#include <random>

namespace ovs::link {

class link_client : public link_peer, public std::enable_shared_from_this<link_client> {
public:
    static std::shared_ptr<link_client> create(asio::any_io_executor ex,
                                               link_options options,
                                               config::endpoint target);

    void start();
    // Closes the connection and stops reconnecting. Idempotent; no handler
    // runs afterwards.
    void stop();

    // Attempts made since the last successful hello (for tests and metrics).
    unsigned failed_attempts() const { return backoff_.attempt(); }

private:
    link_client(asio::any_io_executor ex, link_options options, config::endpoint target);
    asio::awaitable<void> run();
    asio::awaitable<bool> connect_once();
    void connection_ready(const std::shared_ptr<link_connection>& conn) override;
    void connection_closed(const std::shared_ptr<link_connection>& conn,
                           const std::string& reason) override;

    config::endpoint target_;
    proto::backoff_policy backoff_;
    std::mt19937_64 rng_;
    bool started_ = false;
    std::optional<tcp::socket> connecting_;
    tcp::resolver resolver_;
    asio::steady_timer connect_timer_;
    asio::steady_timer backoff_timer_;
    asio::steady_timer closed_wake_;
    std::shared_ptr<link_connection> current_;
};

}  // namespace ovs::link
