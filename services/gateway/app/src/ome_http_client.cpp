#include <ovs/gateway/ome_http_client.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <openssl/ssl.h>

#include <chrono>
#include <optional>

namespace ovs::gateway {

namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

// Bodies OME sends are small (a stream list, one stream's details); anything
// far larger is not OME talking.
constexpr std::size_t max_response_body = 4 * 1024 * 1024;

struct connection {
    connection(const asio::any_io_executor& ex, ssl::context* tls_context)
    {
        if (tls_context) {
            secure.emplace(ex, *tls_context);
        } else {
            plain.emplace(ex);
        }
    }
    beast::tcp_stream& tcp() { return plain ? *plain : secure->next_layer(); }

    std::optional<beast::tcp_stream> plain;
    std::optional<ssl::stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;
};

std::string describe(const error_code& ec)
{
    if (ec == beast::error::timeout) return "timed out";
    return ec.message();
}

}  // namespace

struct ome_http_client::impl {
    asio::any_io_executor executor;
    std::string host;
    std::string port;
    std::chrono::milliseconds timeout;
    std::string authorization;
    std::optional<ssl::context> tls_context;
    std::unique_ptr<connection> idle;  // one kept-alive connection
    bool closed = false;

    std::string where() const { return host + ":" + port; }

    // Connects (and handshakes for https) before `deadline`; "" on success.
    asio::awaitable<std::string> connect(connection& conn,
                                         std::chrono::steady_clock::time_point deadline)
    {
        tcp::resolver resolver(executor);
        auto [rec, endpoints] = co_await resolver.async_resolve(host, port, use_nothrow);
        if (rec) co_return "resolve " + host + ": " + rec.message();

        conn.tcp().expires_at(deadline);
        auto [cec, ep] = co_await conn.tcp().async_connect(endpoints, use_nothrow);
        if (cec) co_return "connect to " + where() + ": " + describe(cec);
        error_code nodelay_ec;  // a socket reset right after connect shows up in the exchange
        conn.tcp().socket().set_option(tcp::no_delay(true), nodelay_ec);

        if (conn.secure) {
            // SNI and name verification both use the configured host.
            if (!SSL_set_tlsext_host_name(conn.secure->native_handle(), host.c_str())) {
                co_return "TLS: cannot set server name";
            }
            conn.secure->set_verify_callback(ssl::host_name_verification(host));
            auto [hec] =
                co_await conn.secure->async_handshake(ssl::stream_base::client, use_nothrow);
            if (hec) co_return "TLS handshake with " + where() + ": " + describe(hec);
        }
        co_return "";
    }

    template <class Stream>
    static asio::awaitable<error_code> exchange(Stream& stream,
                                                beast::flat_buffer& buffer,
                                                http::request<http::empty_body>& req,
                                                http_result& out)
    {
        auto [wec, written] = co_await http::async_write(stream, req, use_nothrow);
        (void)written;
        if (wec) co_return wec;
        http::response_parser<http::string_body> parser;
        parser.body_limit(max_response_body);
        auto [rec, read] = co_await http::async_read(stream, buffer, parser, use_nothrow);
        (void)read;
        if (rec) co_return rec;
        auto res = parser.release();
        out.status = res.result_int();
        out.body = std::move(res.body());
        if (!res.keep_alive()) co_return beast::http::error::end_of_stream;
        co_return error_code{};
    }
};

ome_http_client::ome_http_client(asio::any_io_executor ex,
                                 std::string host,
                                 const config::ome_config::api_t& api,
                                 std::string authorization)
    : impl_(std::make_shared<impl>())
{
    impl_->executor = std::move(ex);
    impl_->host = std::move(host);
    impl_->port = std::to_string(api.port);
    impl_->timeout = api.timeout;
    impl_->authorization = std::move(authorization);
    if (api.tls) {
        impl_->tls_context.emplace(ssl::context::tls_client);
        impl_->tls_context->set_verify_mode(ssl::verify_peer);
        if (api.ca_file.empty()) {
            impl_->tls_context->set_default_verify_paths();
        } else {
            impl_->tls_context->load_verify_file(api.ca_file);
        }
    }
}

ome_http_client::~ome_http_client()
{
    close();
}

void ome_http_client::close()
{
    impl_->closed = true;
    impl_->idle.reset();
}

asio::awaitable<http_result> ome_http_client::request(http_method method, std::string target)
{
    auto self = impl_;  // the client may go away while we wait
    const auto deadline = std::chrono::steady_clock::now() + self->timeout;

    http::request<http::empty_body> req{
        method == http_method::get ? http::verb::get : http::verb::delete_, target, 11};
    req.set(http::field::host, self->host + ":" + self->port);
    if (!self->authorization.empty()) req.set(http::field::authorization, self->authorization);
    req.set(http::field::user_agent, "OvenSpace-gateway");
    req.set(http::field::accept, "application/json");
    req.keep_alive(true);

    auto conn = std::move(self->idle);
    bool reused = conn != nullptr;
    for (;;) {
        http_result result;
        if (!conn) {
            conn = std::make_unique<connection>(self->executor,
                                                self->tls_context ? &*self->tls_context : nullptr);
            result.transport_error = co_await self->connect(*conn, deadline);
            if (!result.transport_error.empty()) co_return result;
        }
        conn->tcp().expires_at(deadline);
        error_code ec = conn->secure
                            ? co_await impl::exchange(*conn->secure, conn->buffer, req, result)
                            : co_await impl::exchange(*conn->plain, conn->buffer, req, result);
        if (result.status != 0) {
            // An answer, even if the server then closes: keep the connection
            // only when it can carry the next request.
            if (!ec && !self->idle && !self->closed) {
                conn->tcp().expires_never();
                self->idle = std::move(conn);
            }
            co_return result;
        }
        if (reused && ec != beast::error::timeout) {
            // The kept-alive socket had gone stale (OME restarted, idle
            // timeout): try once more on a fresh connection.
            conn.reset();
            reused = false;
            continue;
        }
        result.transport_error = std::string(method == http_method::get ? "GET " : "DELETE ") +
                                 self->where() + ": " + describe(ec);
        co_return result;
    }
}

}  // namespace ovs::gateway
