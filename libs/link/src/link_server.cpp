#include <ovs/link/handshake_slots.hpp>
#include <ovs/link/link_server.hpp>
#include <ovs/net/spawn.hpp>

#include <boost/asio/post.hpp>

#include <algorithm>
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
    if (keep_all_) {
        ready_.push_back(conn);
        if (!active_) active_ = conn;
        if (on_each_ready_) on_each_ready_(conn);
        return;
    }
    auto previous = std::exchange(active_, conn);
    if (previous) previous->close("replaced by a newer connection");
    if (handlers_.on_connected) handlers_.on_connected();
}

void link_server::connection_closed(const std::shared_ptr<link_connection>& conn,
                                    const std::string& reason)
{
    handshaking_.erase(conn);
    if (keep_all_) {
        const auto before = ready_.size();
        std::erase(ready_, conn);
        if (ready_.size() == before) return;
        if (active_ == conn) active_ = ready_.empty() ? nullptr : ready_.front();
        if (ready_.empty() && !stopped_ && handlers_.on_disconnected) {
            handlers_.on_disconnected(reason);
        }
        return;
    }
    if (active_ != conn) return;
    active_.reset();
    if (!stopped_ && handlers_.on_disconnected) handlers_.on_disconnected(reason);
}

void link_server::keep_all_connections(
    std::function<void(std::shared_ptr<link_connection>)> on_each_ready)
{
    keep_all_ = true;
    on_each_ready_ = std::move(on_each_ready);
}

bool link_server::is_current(const std::shared_ptr<link_connection>& conn) const
{
    if (!keep_all_) return link_peer::is_current(conn);
    return conn && std::find(ready_.begin(), ready_.end(), conn) != ready_.end();
}

std::size_t link_server::ready_count() const
{
    if (!keep_all_) return active_ && active_->is_ready() ? 1 : 0;
    return static_cast<std::size_t>(
        std::count_if(ready_.begin(), ready_.end(), [](const auto& c) { return c->is_ready(); }));
}

bool link_server::send_event(const proto::event& e)
{
    if (!keep_all_) return link_peer::send_event(e);
    bool any = false;
    // A copy: a full queue closes a connection, which edits ready_.
    for (const auto& c : std::vector<std::shared_ptr<link_connection>>(ready_)) {
        if (c->is_ready() && c->send_event(e)) any = true;
    }
    return any;
}

bool link_server::send_event_to(const std::shared_ptr<link_connection>& conn, const proto::event& e)
{
    return conn && conn->is_ready() && conn->send_event(e);
}

asio::awaitable<proto::reply> link_server::request_any(proto::request req, millis timeout)
{
    if (!keep_all_) co_return co_await request_on(active_, std::move(req), timeout);
    auto self = shared_from_this();
    std::vector<std::shared_ptr<link_connection>> order;
    for (std::size_t i = 0; i < ready_.size(); ++i) {
        order.push_back(ready_[(next_ + i) % ready_.size()]);
    }
    ++next_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    proto::reply last{proto::request_id(req),
                      proto::error_info{"not_connected", "no room service is linked"}};
    for (std::size_t i = 0; i < order.size(); ++i) {
        const auto left =
            std::chrono::duration_cast<millis>(deadline - std::chrono::steady_clock::now());
        if (left <= millis(0)) break;
        // A share of what is left: one replica that stopped answering (and
        // is not declared dead yet) must not use up the whole budget.
        const auto share = std::max(millis(1), left / static_cast<long>(order.size() - i));
        auto conn = order[i];
        auto attempt = req;
        last = co_await request_on(conn, std::move(attempt), share);
        const auto* err = last.error();
        if (err == nullptr) co_return last;
        if (err->code != "timeout" && err->code != "closed" && err->code != "not_connected") {
            co_return last;  // an answer, even if a refusal
        }
    }
    co_return last;
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
    for (const auto& c : std::exchange(ready_, {})) c->close("server stopping");
    // Cleared later: stop() may run inside one of these handlers.
    asio::post(ex_, [self = shared_from_this()] { self->handlers_ = {}; });
}

}  // namespace ovs::link
