#include <ovs/link/link_client.hpp>
#include <ovs/net/spawn.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>

#include <utility>

namespace ovs::link {

std::shared_ptr<link_client> link_client::create(asio::any_io_executor ex,
                                                 link_options options,
                                                 config::endpoint target)
{
    return std::shared_ptr<link_client>(
        new link_client(std::move(ex), std::move(options), std::move(target)));
}

link_client::link_client(asio::any_io_executor ex, link_options options, config::endpoint target)
    : link_peer(ex, std::move(options)),
      target_(std::move(target)),
      backoff_(opt_.limits.reconnect_min, opt_.limits.reconnect_max),
      rng_(opt_.rng_seed ? *opt_.rng_seed : std::random_device{}()),
      resolver_(ex),
      connect_timer_(ex),
      backoff_timer_(ex),
      closed_wake_(ex)
{
}

void link_client::start()
{
    if (started_ || stopped_) return;
    started_ = true;
    net::spawn(ex_, run(), "link client (reconnect loop)");
}

asio::awaitable<void> link_client::run()
{
    auto self = shared_from_this();
    while (!stopped_) {
        if (co_await connect_once()) {
            // Wait for this connection to end; connection_closed wakes us.
            while (!stopped_ && current_ && !current_->is_closed()) {
                closed_wake_.expires_at(std::chrono::steady_clock::time_point::max());
                co_await closed_wake_.async_wait(use_nothrow);
            }
            current_.reset();
        }
        if (stopped_) break;
        millis delay = backoff_.next(rng_);
        if (opt_.log) opt_.log("reconnecting in " + std::to_string(delay.count()) + " ms");
        backoff_timer_.expires_after(delay);
        co_await backoff_timer_.async_wait(use_nothrow);
    }
}

asio::awaitable<bool> link_client::connect_once()
{
    const std::string where = target_.address + ":" + std::to_string(target_.port);
    std::vector<tcp::endpoint> candidates;
    error_code ec;
    auto literal = asio::ip::make_address(target_.address, ec);
    if (!ec) {
        candidates.emplace_back(literal, target_.port);
    } else {
        auto [rec, results] = co_await resolver_.async_resolve(
            target_.address, std::to_string(target_.port), use_nothrow);
        if (rec) {
            if (opt_.log && !stopped_) opt_.log("cannot resolve " + where + ": " + rec.message());
            co_return false;
        }
        for (const auto& r : results) candidates.push_back(r.endpoint());
    }
    if (stopped_) co_return false;

    // The connect is bounded by closing the socket when the timer fires.
    connecting_.emplace(ex_);
    connect_timer_.expires_after(opt_.limits.heartbeat_timeout);
    connect_timer_.async_wait([self = shared_from_this()](error_code wait_ec) {
        if (!wait_ec && self->connecting_) {
            error_code ignored;
            self->connecting_->close(ignored);
        }
    });
    auto [cec, endpoint] = co_await asio::async_connect(*connecting_, candidates, use_nothrow);
    connect_timer_.cancel();
    if (cec || stopped_) {
        if (cec && opt_.log && !stopped_)
            opt_.log("cannot connect to " + where + ": " + cec.message());
        connecting_.reset();
        co_return false;
    }
    // Small request/reply lines: Nagle + delayed ACK would add ~40 ms.
    error_code nodelay_ec;
    connecting_->set_option(tcp::no_delay(true), nodelay_ec);
    current_ = link_connection::create(std::move(*connecting_), opt_);
    connecting_.reset();
    current_->set_handlers(forwarders(weak_from_this(), current_));
    current_->start();
    co_return true;
}

void link_client::connection_ready(const std::shared_ptr<link_connection>& conn)
{
    if (conn != current_) return;
    active_ = conn;
    backoff_.reset();
    if (handlers_.on_connected) handlers_.on_connected();
}

void link_client::connection_closed(const std::shared_ptr<link_connection>& conn,
                                    const std::string& reason)
{
    closed_wake_.cancel();
    if (active_ != conn) return;
    active_.reset();
    if (!stopped_ && handlers_.on_disconnected) handlers_.on_disconnected(reason);
}

void link_client::stop()
{
    if (stopped_) return;
    stopped_ = true;
    resolver_.cancel();
    connect_timer_.cancel();
    backoff_timer_.cancel();
    closed_wake_.cancel();
    if (connecting_) {
        error_code ignored;
        connecting_->close(ignored);
    }
    if (current_) current_->close("client stopping");
    active_.reset();
    // Cleared later: stop() may run inside one of these handlers.
    asio::post(ex_, [self = shared_from_this()] { self->handlers_ = {}; });
}

}  // namespace ovs::link
