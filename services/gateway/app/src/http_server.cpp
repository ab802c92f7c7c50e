#include <ovs/gateway/http_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <list>

namespace ovs::gateway {

using tcp = asio::ip::tcp;

namespace {

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

http::response<http::string_body> to_beast(simple_response r, unsigned version, bool keep_alive)
{
    http::response<http::string_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "OvenSpace-gateway");
    res.set(http::field::content_type, r.content_type);
    res.body() = std::move(r.body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
}

simple_response plain_error(unsigned status, std::string text)
{
    return {status, "application/json", R"({"error":")" + std::move(text) + R"("})"};
}

}  // namespace

const std::string* simple_request::header(std::string_view name) const
{
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) return &value;
    }
    return nullptr;
}

struct http_server::impl : std::enable_shared_from_this<impl> {
    impl(asio::any_io_executor ex, http_server_limits l, http_handler h)
        : executor(std::move(ex)),
          acceptor(executor),
          retry_timer(executor),
          limits(l),
          handler(std::move(h))
    {
    }

    asio::any_io_executor executor;
    tcp::acceptor acceptor;
    asio::steady_timer retry_timer;
    http_server_limits limits;
    http_handler handler;
    // Open sessions, so stop() can close them; entries remove themselves.
    std::list<std::weak_ptr<beast::tcp_stream>> sessions;
    bool stopped = false;

    asio::awaitable<void> accept_loop(std::shared_ptr<impl> self)
    {
        while (!stopped) {
            auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
            if (ec) {
                if (ec == asio::error::operation_aborted || stopped) co_return;
                // E.g. too many open files: the pending connection stays
                // queued and accept fails again at once, so pause rather
                // than spin; the open connections keep being served.
                retry_timer.expires_after(std::chrono::milliseconds(100));
                co_await retry_timer.async_wait(use_nothrow);
                continue;
            }
            error_code nodelay_ec;  // OME waits on our answer: no Nagle delay
            socket.set_option(tcp::no_delay(true), nodelay_ec);
            auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
            sessions.push_back(stream);
            auto where = std::prev(sessions.end());
            asio::co_spawn(executor, serve(self, stream, where), asio::detached);
        }
    }

    asio::awaitable<void> serve(std::shared_ptr<impl> self,
                                std::shared_ptr<beast::tcp_stream> stream,
                                std::list<std::weak_ptr<beast::tcp_stream>>::iterator where)
    {
        beast::flat_buffer buffer;
        error_code endpoint_ec;
        const auto remote = stream->socket().remote_endpoint(endpoint_ec);
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(limits.max_body_bytes);
            parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
            stream->expires_after(limits.read_timeout);
            auto [rec, n] = co_await http::async_read(*stream, buffer, parser, use_nothrow);
            (void)n;
            if (rec) {
                if (rec == http::error::body_limit) {
                    auto res = to_beast(plain_error(413, "request body too large"), 11, false);
                    co_await http::async_write(*stream, res, use_nothrow);
                } else if (rec != http::error::end_of_stream && rec != beast::error::timeout &&
                           rec != asio::error::operation_aborted &&
                           rec != asio::error::connection_reset && rec != asio::error::eof) {
                    auto res = to_beast(plain_error(400, "malformed request"), 11, false);
                    co_await http::async_write(*stream, res, use_nothrow);
                }
                break;
            }
            auto req = parser.release();
            simple_request sreq;
            sreq.method = std::string(req.method_string());
            sreq.target = std::string(req.target());
            sreq.body = std::move(req.body());
            for (const auto& field : req) {
                sreq.headers.emplace_back(std::string(field.name_string()),
                                          std::string(field.value()));
            }
            if (!endpoint_ec) {
                sreq.remote_address = remote.address().to_string();
                sreq.remote_port = remote.port();
            }
            const bool keep_alive = req.keep_alive();
            stream->expires_never();
            simple_response sres = co_await handler(std::move(sreq));
            if (stopped) break;
            auto res = to_beast(std::move(sres), req.version(), keep_alive);
            stream->expires_after(limits.read_timeout);
            auto [wec, w] = co_await http::async_write(*stream, res, use_nothrow);
            (void)w;
            if (wec || !keep_alive) break;
        }
        error_code ignored;
        stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream->close();
        sessions.erase(where);
        (void)self;
    }
};

http_server::http_server(asio::any_io_executor ex, http_server_limits limits, http_handler handler)
    : impl_(std::make_shared<impl>(std::move(ex), limits, std::move(handler)))
{
}

http_server::~http_server()
{
    stop();
}

std::uint16_t http_server::listen(const std::string& address, std::uint16_t port)
{
    tcp::endpoint endpoint{asio::ip::make_address(address), port};
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
    asio::co_spawn(impl_->executor, impl_->accept_loop(impl_), asio::detached);
    return impl_->acceptor.local_endpoint().port();
}

void http_server::stop()
{
    if (impl_->stopped) return;
    impl_->stopped = true;
    error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->retry_timer.cancel();
    for (auto& weak : impl_->sessions) {
        if (auto stream = weak.lock()) stream->socket().close(ignored);
    }
}

}  // namespace ovs::gateway
