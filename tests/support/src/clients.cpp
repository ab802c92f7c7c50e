#include <ovs/testing/clients.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <catch2/catch.hpp>

#include <array>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace ovs::testing {

using tcp = asio::ip::tcp;

asio::awaitable<http_result> http_request(std::uint16_t port,
                                          std::string method,
                                          std::string target,
                                          std::map<std::string, std::string> headers,
                                          std::string body)
{
    auto ex = co_await asio::this_coro::executor;
    beast::tcp_stream stream(ex);
    co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                  asio::use_awaitable);
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = std::move(body);
    req.prepare_payload();
    co_await http::async_write(stream, req, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (method == "HEAD") parser.skip(true);
    co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    auto res = parser.release();
    http_result out;
    out.status = res.result_int();
    for (const auto& field : res) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string(field.value());
    }
    out.body = std::move(res.body());
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return out;
}

asio::awaitable<std::string> raw_exchange(std::uint16_t port, std::string bytes)
{
    auto r = co_await raw_exchange_ended(port, std::move(bytes));
    co_return std::move(r.bytes);
}

asio::awaitable<raw_result> raw_exchange_ended(std::uint16_t port, std::string bytes)
{
    auto ex = co_await asio::this_coro::executor;
    tcp::socket sock(ex);
    co_await sock.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                asio::use_awaitable);
    co_await asio::async_write(sock, asio::buffer(bytes), asio::use_awaitable);
    raw_result out;
    std::array<char, 4096> chunk;
    while (out.bytes.size() < 1024 * 1024) {
        auto [ec, n] = co_await sock.async_read_some(asio::buffer(chunk), use_nothrow);
        out.bytes.append(chunk.data(), n);
        if (ec) {
            out.end = ec;
            break;
        }
    }
    co_return out;
}

namespace {

http_result to_result(http::response<http::string_body>& res)
{
    http_result out;
    out.status = res.result_int();
    for (const auto& field : res) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string(field.value());
    }
    out.body = std::move(res.body());
    return out;
}

}  // namespace

struct http_connection::impl {
    explicit impl(asio::any_io_executor ex) : stream(ex) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    std::uint16_t port = 0;
};

http_connection::http_connection(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
http_connection::~http_connection() = default;

asio::awaitable<std::unique_ptr<http_connection>> http_connection::open(std::uint16_t port,
                                                                        int receive_buffer)
{
    auto ex = co_await asio::this_coro::executor;
    auto p = std::make_unique<impl>(ex);
    p->port = port;
    auto& sock = p->stream.socket();
    sock.open(tcp::v4());
    if (receive_buffer > 0) sock.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    co_await sock.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                asio::use_awaitable);
    co_return std::unique_ptr<http_connection>(new http_connection(std::move(p)));
}

asio::awaitable<void> http_connection::send(std::string method, std::string target)
{
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, "127.0.0.1:" + std::to_string(impl_->port));
    req.prepare_payload();
    co_await http::async_write(impl_->stream, req, asio::use_awaitable);
}

asio::awaitable<http_result> http_connection::read()
{
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    co_await http::async_read(impl_->stream, impl_->buffer, parser, asio::use_awaitable);
    auto res = parser.release();
    co_return to_result(res);
}

struct ws_client::impl {
    explicit impl(asio::any_io_executor ex) : ws(ex) {}
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;
    std::size_t pongs = 0;
};

ws_client::ws_client(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
ws_client::~ws_client() = default;

asio::awaitable<ws_client::connect_result> ws_client::connect(std::uint16_t port, options opts)
{
    auto ex = co_await asio::this_coro::executor;
    auto p = std::make_unique<impl>(ex);
    auto& sock = beast::get_lowest_layer(p->ws).socket();
    connect_result out;
    sock.open(tcp::v4());
    if (opts.receive_buffer > 0)
        sock.set_option(asio::socket_base::receive_buffer_size(opts.receive_buffer));
    auto [cec] = co_await sock.async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), use_nothrow);
    if (cec) {
        out.ec = cec;
        co_return out;
    }
    if (!opts.origin.empty()) {
        p->ws.set_option(
            websocket::stream_base::decorator([origin = opts.origin](websocket::request_type& req) {
                req.set(http::field::origin, origin);
            }));
    }
    websocket::response_type res;
    auto [hec] = co_await p->ws.async_handshake(
        res, "127.0.0.1:" + std::to_string(port), opts.target, use_nothrow);
    out.http_status = res.result_int();
    out.ec = hec;
    if (!hec) out.client.reset(new ws_client(std::move(p)));
    co_return out;
}

asio::awaitable<std::unique_ptr<ws_client>> ws_client::open(std::uint16_t port, std::string room)
{
    options opts;
    opts.target = "/ws?room=" + room;
    auto r = co_await connect(port, opts);
    if (r.ec) throw std::runtime_error("ws connect failed: " + r.ec.message());
    co_return std::move(r.client);
}

asio::awaitable<void> ws_client::send(std::string text)
{
    impl_->ws.text(true);
    co_await impl_->ws.async_write(asio::buffer(text), asio::use_awaitable);
}

asio::awaitable<void> ws_client::ping()
{
    impl_->ws.control_callback([p = impl_.get()](websocket::frame_type kind, std::string_view) {
        if (kind == websocket::frame_type::pong) ++p->pongs;
    });
    co_await impl_->ws.async_ping({}, asio::use_awaitable);
}

std::size_t ws_client::pongs() const
{
    return impl_->pongs;
}

asio::awaitable<std::optional<std::string>> ws_client::next_text()
{
    if (!backlog_.empty()) {
        auto j = std::move(backlog_.front());
        backlog_.pop_front();
        co_return j.dump();
    }
    auto [ec, n] = co_await impl_->ws.async_read(impl_->buffer, use_nothrow);
    if (ec) {
        close_code_ = impl_->ws.reason().code;
        co_return std::nullopt;
    }
    std::string text = beast::buffers_to_string(impl_->buffer.cdata());
    impl_->buffer.consume(impl_->buffer.size());
    co_return text;
}

asio::awaitable<std::optional<json>> ws_client::next()
{
    auto text = co_await next_text();
    if (!text) co_return std::nullopt;
    co_return json::parse(*text);
}

asio::awaitable<json> ws_client::next_of(std::string type)
{
    for (;;) {
        auto j = co_await next();
        if (!j) throw std::runtime_error("closed while waiting for a '" + type + "' frame");
        if ((*j)["type"] == type) co_return *j;
    }
}

asio::awaitable<json> ws_client::command(json cmd)
{
    if (!cmd.contains("id")) cmd["id"] = next_id_++;
    co_await send(cmd.dump());
    std::deque<json> others;
    for (;;) {
        auto [ec, n] = co_await impl_->ws.async_read(impl_->buffer, use_nothrow);
        if (ec) throw std::runtime_error("closed while waiting for a reply: " + ec.message());
        auto j = json::parse(beast::buffers_to_string(impl_->buffer.cdata()));
        impl_->buffer.consume(impl_->buffer.size());
        if (j["type"] == "reply" && j["id"] == cmd["id"]) {
            for (auto& o : others) backlog_.push_back(std::move(o));
            co_return j;
        }
        others.push_back(std::move(j));
    }
}

asio::awaitable<unsigned> ws_client::until_closed()
{
    backlog_.clear();
    for (;;) {
        auto [ec, n] = co_await impl_->ws.async_read(impl_->buffer, use_nothrow);
        impl_->buffer.consume(impl_->buffer.size());
        if (ec) {
            close_code_ = ec == websocket::error::closed ? impl_->ws.reason().code : 0;
            co_return close_code_;
        }
    }
}

asio::awaitable<void> latch::wait()
{
    while (count_ > 0) co_await timer_.async_wait(use_nothrow);
}

void run_bounded(asio::io_context& io,
                 const std::function<void()>& stop,
                 asio::awaitable<void> test,
                 std::chrono::seconds limit)
{
    bool done = false;
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(test), [&](std::exception_ptr e) {
        done = true;
        failure = e;
        stop();
    });
    io.run_for(limit);
    if (!done) {
        stop();
        FAIL("the test did not finish within " << limit.count() << " s");
    }
    if (failure) std::rethrow_exception(failure);
    io.run_for(std::chrono::seconds(10));
    REQUIRE(io.stopped());
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d)
{
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(use_nothrow);
}

double metric_value(const std::string& text, const std::string& name)
{
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
    }
    return 0;
}

}  // namespace ovs::testing
