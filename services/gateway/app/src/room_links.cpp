#include <ovs/gateway/room_links.hpp>
#include <ovs/link/link_server.hpp>

namespace ovs::gateway {

room_links::room_links(asio::any_io_executor ex,
                       link::link_options options,
                       room_link_hooks hooks,
                       bool keep_all)
    : server_(link::link_server::create(std::move(ex), std::move(options))), keep_all_(keep_all)
{
    link::peer_handlers handlers;
    if (keep_all) {
        // Each replica's connection is greeted as it comes; the greeting goes
        // to every connection (a replica already greeted gets the same view
        // again, which changes nothing).
        server_->keep_all_connections(
            [on_connected = hooks.on_connected](std::shared_ptr<link::link_connection>) {
                if (on_connected) on_connected();
            });
    }
    handlers.on_connected = std::move(hooks.on_connected);
    handlers.on_disconnected = std::move(hooks.on_disconnected);
    handlers.on_event = [](proto::event) {
        // The room sends no events to the gateway; a newer room's are ignored.
    };
    handlers.on_request = std::move(hooks.on_request);
    server_->set_handlers(std::move(handlers));
}

room_links::~room_links()
{
    stop();
}

std::uint16_t room_links::listen(const std::string& address, std::uint16_t port)
{
    server_->listen(config::endpoint{address, port});
    return server_->local_endpoint().port();
}

bool room_links::send(const proto::event& e)
{
    return server_->send_event(e);
}

asio::awaitable<proto::reply> room_links::request(proto::request req,
                                                  std::chrono::milliseconds timeout)
{
    if (keep_all_) return server_->request_any(std::move(req), timeout);
    return server_->request(std::move(req), timeout);
}

bool room_links::connected() const
{
    return server_->connected();
}

std::size_t room_links::ready_count() const
{
    return server_->ready_count();
}

const std::map<std::string, std::uint64_t>& room_links::handshake_failures() const
{
    return server_->handshake_failures();
}

void room_links::stop()
{
    server_->stop();
}

}  // namespace ovs::gateway
