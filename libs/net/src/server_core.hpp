#pragma once
// Internal: the state one server shares with its connections. Connections
// hold a shared_ptr to it (the server outlives none of them by accident);
// it holds only weak references to them, each removed by its owner when it
// ends.

#include <ovs/net/server.hpp>

#include <boost/beast/core/tcp_stream.hpp>

#include <list>
#include <vector>

namespace ovs::net {

// One plain HTTP connection, owned by its session coroutine.
struct http_connection {
    explicit http_connection(asio::ip::tcp::socket s) : stream(std::move(s)) {}
    beast::tcp_stream stream;
    bool idle = false;  // waiting for the next request: stop() may close it at once
};

struct server::core : std::enable_shared_from_this<server::core> {
    core(asio::any_io_executor e, server_options o, std::shared_ptr<http_service> s)
        : ex(std::move(e)), options(std::move(o)), service(std::move(s)), acceptor(ex)
    {
    }

    asio::any_io_executor ex;
    server_options options;
    // Before the service: members go in reverse order, and the service
    // reads `status` (http_service::server()) for as long as it lives.
    server_status status;
    std::shared_ptr<http_service> service;
    asio::ip::tcp::acceptor acceptor;
    asio::ip::tcp::endpoint bound;
    std::function<void()> on_drained;

    std::list<std::weak_ptr<http_connection>> http;
    std::list<std::weak_ptr<ws_session>> websockets;
    // Sessions with frames to write, flushed from one posted handler per
    // burst (ws_session.cpp): each writes everything it has queued at once.
    std::vector<std::shared_ptr<ws_session>> to_flush;
    bool flush_posted = false;
    void flush_websockets_later(std::shared_ptr<ws_session> session);
    void flush_websockets();

    // Calls on_drained (posted) once stopping and no connection is left.
    void maybe_drained();
};

// The keep-alive loop of one accepted connection (http_session.cpp).
asio::awaitable<void> serve_http(std::shared_ptr<server::core> core,
                                 std::shared_ptr<http_connection> conn,
                                 std::list<std::weak_ptr<http_connection>>::iterator slot,
                                 peer_info peer);

// Takes an accepted upgrade over (ws_session.cpp): the handshake, then the
// session runs until it ends.
void start_websocket(const std::shared_ptr<server::core>& core,
                     beast::tcp_stream stream,
                     request req,
                     peer_info peer,
                     std::unique_ptr<ws_handler> handler);

// Closes every WebSocket with 1001 after its queue (ws_session.cpp).
void close_websockets(server::core& core);

}  // namespace ovs::net
