#include <ovs/link/handshake_slots.hpp>
#include <ovs/link/link_server.hpp>
#include <ovs/net/spawn.hpp>

#include <boost/asio/post.hpp>

#include <utility>

namespace ovs::link {

std::shared_ptr<link_server> link_server::create(asio::any_io_executor ex, link_options options)
{
    return std::shared_ptr<link_server>(new link_server(std::move(ex), std::move(options)));
}

link_server::link_server(asio::any_io_executor ex, link_options options)
    : link_peer(ex, std::move(options)), acceptor_(ex), retry_timer_(ex)
{
}

void link_server::listen(const config::endpoint& where)
{
    tcp::resolver resolver(ex_);
    auto results = resolver.resolve(where.address, std::to_string(where.port));
    tcp::endpoint ep = results.begin()->endpoint();
    acceptor_.open(ep.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    if (opt_.log)
        opt_.log("listening on " + ep.address().to_string() + ":" +
                 std::to_string(local_endpoint().port()));
    net::spawn(ex_, accept_loop(), "link server accept loop");
}

tcp::endpoint link_server::local_endpoint() const
{
    return acceptor_.local_endpoint();
}

asio::awaitable<void> link_server::accept_loop()
{
    auto self = shared_from_this();
    while (!stopped_) {
        auto [ec, socket] = co_await acceptor_.async_accept(use_nothrow);
        if (stopped_) co_return;
        if (ec) {
            if (ec == asio::error::operation_aborted) co_return;
            // E.g. out of file descriptors: pause instead of spinning.
            if (opt_.log) opt_.log("accept failed: " + ec.message());
            retry_timer_.expires_after(millis(100));
            co_await retry_timer_.async_wait(use_nothrow);
            continue;
        }
        // Small request/reply lines: Nagle + delayed ACK would add ~40 ms.
        error_code nodelay_ec;
        socket.set_option(tcp::no_delay(true), nodelay_ec);
        adopt(std::move(socket));
    }
}

void link_server::adopt(tcp::socket socket)
{
    // Make room first: this connection may be the room service's, and the
    // ones holding the slots may be idle intruders (see handshake_slots.hpp).
    while (!handshaking_.empty() && handshaking_.size() >= opt_.limits.max_pending_handshakes) {
        std::vector<std::shared_ptr<link_connection>> conns(handshaking_.begin(),
                                                            handshaking_.end());
        std::vector<pending_handshake> pending;
        pending.reserve(conns.size());
        for (const auto& c : conns) pending.push_back({c->peer_address(), c->started_at()});
        auto victim = conns[choose_eviction(pending)];
        handshaking_.erase(victim);
        victim->evict("evicted: all " + std::to_string(opt_.limits.max_pending_handshakes) +
                      " handshake slots were taken when another peer connected");
    }
    auto conn = link_connection::create(std::move(socket), opt_);
    conn->set_handlers(forwarders(weak_from_this(), conn));
    handshaking_.insert(conn);
    conn->start();
}

void link_server::connection_ready(const std::shared_ptr<link_connection>& conn)
{
    handshaking_.erase(conn);
    auto previous = std::exchange(active_, conn);
    if (previous) previous->close("replaced by a newer connection");
    if (handlers_.on_connected) handlers_.on_connected();
}

void link_server::connection_closed(const std::shared_ptr<link_connection>& conn,
                                    const std::string& reason)
{
    handshaking_.erase(conn);
    if (active_ != conn) return;
    active_.reset();
    if (!stopped_ && handlers_.on_disconnected) handlers_.on_disconnected(reason);
}

void link_server::stop()
{
    if (stopped_) return;
    stopped_ = true;
    error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
    auto handshaking = std::move(handshaking_);
    handshaking_.clear();
    for (const auto& c : handshaking) c->close("server stopping");
    if (auto a = std::move(active_)) a->close("server stopping");
    active_.reset();
    // Cleared later: stop() may run inside one of these handlers.
    asio::post(ex_, [self = shared_from_this()] { self->handlers_ = {}; });
}

}  // namespace ovs::link
