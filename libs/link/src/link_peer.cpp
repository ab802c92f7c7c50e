#include <ovs/link/link_peer.hpp>

#include <boost/asio/post.hpp>

#include <stdexcept>
#include <utility>

namespace ovs::link {

link_peer::link_peer(asio::any_io_executor ex, link_options options)
    : ex_(std::move(ex)), opt_(std::move(options))
{
    if (opt_.limits.secret.empty()) {
        throw std::invalid_argument("link: no link secret (link.secret) configured");
    }
}

void link_peer::disconnect(std::string reason)
{
    if (active_) active_->close(std::move(reason));
}

bool link_peer::send_event(const proto::event& e)
{
    if (!connected()) return false;
    return active_->send_event(e);
}

asio::awaitable<proto::reply> link_peer::request(proto::request req, std::optional<millis> timeout)
{
    // Holds the connection, not this peer.
    return request_on(active_, std::move(req), timeout);
}

asio::awaitable<proto::reply> link_peer::request_on(std::shared_ptr<link_connection> conn,
                                                    proto::request req,
                                                    std::optional<millis> timeout)
{
    if (!conn || !conn->is_ready()) {
        co_return proto::reply{proto::request_id(req),
                               proto::error_info{"not_connected", "the link is not connected"}};
    }
    co_return co_await conn->request(std::move(req), timeout);
}

void link_peer::request(proto::request req,
                        std::function<void(proto::reply)> done,
                        std::optional<millis> timeout)
{
    if (!connected()) {
        proto::reply rep{proto::request_id(req),
                         proto::error_info{"not_connected", "the link is not connected"}};
        asio::post(ex_, [done = std::move(done), rep = std::move(rep)] { done(rep); });
        return;
    }
    active_->request(std::move(req), std::move(done), timeout);
}

link_handlers link_peer::forwarders(std::weak_ptr<link_peer> owner,
                                    std::weak_ptr<link_connection> conn)
{
    link_handlers h;
    h.on_ready = [owner, conn] {
        auto o = owner.lock();
        auto c = conn.lock();
        if (o && c && !o->stopped_) o->connection_ready(c);
    };
    h.on_event = [owner, conn](proto::event e) {
        auto o = owner.lock();
        if (!o || o->stopped_ || !o->is_current(conn.lock())) return;
        if (o->handlers_.on_event) o->handlers_.on_event(std::move(e));
    };
    h.on_request = [owner, conn](proto::request req, responder r) {
        auto o = owner.lock();
        if (!o || o->stopped_ || !o->is_current(conn.lock())) {
            r.fail("not_active", "this connection is no longer the active one");
            return;
        }
        if (!o->handlers_.on_request) {
            r.fail("unsupported", "this side does not serve requests");
            return;
        }
        o->handlers_.on_request(std::move(req), std::move(r));
    };
    h.on_closed = [owner, conn](const std::string& reason) {
        auto o = owner.lock();
        auto c = conn.lock();
        if (!o || !c) return;
        if (!c->handshake_failure().empty()) ++o->handshake_failures_[c->handshake_failure()];
        o->connection_closed(c, reason);
    };
    return h;
}

}  // namespace ovs::link
