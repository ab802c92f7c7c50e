// The listener side of the server: bind (with a message a user can act on),
// the accept loop (batches, the HTTP connection cap), graceful stop.

#include "server_core.hpp"

#include <ovs/log/log.hpp>
#include <ovs/net/spawn.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace ovs::net {

using tcp = asio::ip::tcp;

namespace {

// Connections taken from the backlog per wake-up of the accept loop: enough
// that a connection storm costs one scheduler round per batch, few enough
// that the loop does not starve the other connections.
constexpr int accept_batch = 64;

std::string where(std::string_view address, std::uint16_t port, std::string_view config_key)
{
    std::string s(address);
    s += ":" + std::to_string(port);
    if (!config_key.empty()) s += " (" + std::string(config_key) + ")";
    return s;
}

std::string where(const server_options& o)
{
    return where(o.address, o.port, o.config_key);
}

// What to tell a user who cannot start the service.
std::string bind_advice(const error_code& ec)
{
    if (ec == asio::error::address_in_use) {
        return "another process is listening there (an earlier instance still running?); "
               "stop it or choose another port in the config";
    }
    if (ec == asio::error::access_denied) {
        return "ports below 1024 need privileges; choose a port of 1024 or more in the config";
    }
    if (ec == boost::system::errc::address_not_available) {
        return "this machine has no such address; use 0.0.0.0 (every interface), 127.0.0.1 "
               "or one of its own addresses";
    }
    return "check the address and port in the config";
}

// Over the connection cap: a fixed answer, written without waiting (a fresh
// socket's send buffer is empty), after draining what the client has
// already sent so the close does not turn into a reset. Nothing is parsed.
void refuse_busy(tcp::socket& socket)
{
    static constexpr std::string_view busy =
        "HTTP/1.1 503 Service Unavailable\r\n"
        "Content-Type: application/json\r\n"
        "Retry-After: 1\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Referrer-Policy: no-referrer\r\n"
        "Connection: close\r\n"
        "Content-Length: 75\r\n"
        "\r\n"
        R"({"error":{"code":"busy","message":"Too many connections; try again later"}})";
    static_assert(busy.size() - busy.find("\r\n\r\n") - 4 == 75);
    error_code ec;
    socket.non_blocking(true, ec);
    std::array<char, 4096> sink;
    for (int i = 0; i < 16; ++i) {
        if (socket.read_some(asio::buffer(sink), ec) == 0 || ec) break;
    }
    socket.write_some(asio::buffer(busy.data(), busy.size()), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
}

void admit(const std::shared_ptr<server::core>& core, tcp::socket socket)
{
    auto& stats = core->status.stats;
    if (stats.http_connections >= core->options.max_http_connections) {
        ++stats.http_connections_refused;
        refuse_busy(socket);
        return;
    }
    error_code ec;
    socket.set_option(tcp::no_delay(true), ec);  // small answers must not wait for Nagle
    auto remote = socket.remote_endpoint(ec);
    peer_info peer;
    if (!ec) {
        peer.address = remote.address().to_string();
        peer.port = remote.port();
    }
    ++stats.http_connections;
    ++stats.http_connections_total;
    auto conn = std::make_shared<http_connection>(std::move(socket));
    core->http.push_back(conn);
    auto slot = std::prev(core->http.end());
    std::string what =
        core->options.service + " http session " + peer.address + ":" + std::to_string(peer.port);
    spawn(core->ex, serve_http(core, std::move(conn), slot, std::move(peer)), std::move(what));
}

asio::awaitable<void> accept_loop(std::shared_ptr<server::core> core)
{
    asio::steady_timer pause(core->ex);
    while (!core->status.stopping) {
        auto [ec, socket] = co_await core->acceptor.async_accept(use_nothrow);
        if (core->status.stopping) break;
        if (ec) {
            if (ec == asio::error::operation_aborted) break;
            // Out of descriptors or similar: the connection stays queued and
            // accept would fail again at once, so pause instead of spinning;
            // the open connections keep being served.
            log::warn(core->options.service + ": accept failed: " + ec.message());
            pause.expires_after(std::chrono::milliseconds(50));
            co_await pause.async_wait(use_nothrow);
            continue;
        }
        admit(core, std::move(socket));
        // The rest of the backlog, without a trip through the scheduler each.
        for (int i = 1; i < accept_batch && !core->status.stopping; ++i) {
            tcp::socket next(core->ex);
            core->acceptor.accept(next, ec);
            if (ec) break;  // would_block: the backlog is empty
            admit(core, std::move(next));
        }
    }
}

}  // namespace

std::string bind_failure(std::string_view address,
                         std::uint16_t port,
                         std::string_view config_key,
                         const error_code& ec)
{
    return "cannot listen on " + where(address, port, config_key) + ": " + ec.message() + "; " +
           bind_advice(ec);
}

upgrade_answer http_service::upgrade(const request&, const peer_info&)
{
    return reply{error_response(http::status::not_found, "not_found", "No WebSocket here")};
}

void server::core::maybe_drained()
{
    if (!status.stopping || !on_drained) return;
    if (!http.empty() || !websockets.empty()) return;
    asio::post(ex, std::exchange(on_drained, {}));
}

server::server(asio::any_io_executor ex,
               server_options options,
               std::shared_ptr<http_service> service)
    : core_(std::make_shared<core>(std::move(ex), std::move(options), std::move(service)))
{
    if (core_->service) core_->service->status_ = &core_->status;
}

server::~server()
{
    stop();
}

void server::start()
{
    auto& c = *core_;
    error_code ec;
    auto address = asio::ip::make_address(c.options.address, ec);
    if (ec) {
        throw bind_error("cannot listen on " + where(c.options) +
                         ": not an IP address; use 0.0.0.0, 127.0.0.1 or another address of "
                         "this machine");
    }
    tcp::endpoint ep(address, c.options.port);
    auto fail = [&](const char*) {
        throw bind_error(bind_failure(c.options.address, c.options.port, c.options.config_key, ec));
    };
    c.acceptor.open(ep.protocol(), ec);
    if (ec) fail("open");
    c.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) fail("set_option");
    c.acceptor.bind(ep, ec);
    if (ec) fail("bind");
    c.acceptor.listen(c.options.backlog, ec);
    if (ec) fail("listen");
    // Batched accepts (accept_loop) need a socket that says "would block".
    c.acceptor.non_blocking(true, ec);
    if (ec) fail("non_blocking");
    c.bound = c.acceptor.local_endpoint();
    c.status.accepting = true;
    spawn(c.ex, accept_loop(core_), c.options.service + " accept loop");
}

asio::ip::tcp::endpoint server::local_endpoint() const
{
    return core_->bound;
}

void server::stop(std::function<void()> drained)
{
    auto& c = *core_;
    if (drained) c.on_drained = std::move(drained);
    if (!c.status.stopping) {
        c.status.stopping = true;
        c.status.accepting = false;
        error_code ignored;
        c.acceptor.close(ignored);
        // Idle kept-alive connections close now; busy ones after their answer
        // (the session sees `stopping` and answers with Connection: close).
        for (auto& weak : c.http) {
            auto conn = weak.lock();
            if (!conn || !conn->idle) continue;
            conn->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
            conn->stream.socket().close(ignored);
        }
        close_websockets(c);
    }
    c.maybe_drained();
}

void server::close_all()
{
    stop();
    auto& c = *core_;
    error_code ignored;
    for (auto& weak : c.http) {
        auto conn = weak.lock();
        if (!conn) continue;
        conn->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        conn->stream.socket().close(ignored);
    }
    std::vector<std::shared_ptr<ws_session>> open;
    for (auto& weak : c.websockets) {
        if (auto s = weak.lock()) open.push_back(std::move(s));
    }
    for (auto& s : open) s->drop();
}

bool server::stopping() const
{
    return core_->status.stopping;
}

const server_stats& server::stats() const
{
    return core_->status.stats;
}

const server_status& server::status() const
{
    return core_->status;
}

void server::set_socket_send_buffer(int bytes)
{
    core_->options.ws.socket_send_buffer = bytes;
}

const server_options& server::options() const
{
    return core_->options;
}

}  // namespace ovs::net
