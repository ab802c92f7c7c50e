#include "support.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <stdexcept>

namespace ovs::room::link_testing {

using tcp = asio::ip::tcp;

asio::awaitable<void> signal::wait()
{
    while (pending_ == 0) {
        timer_.expires_at(asio::steady_timer::time_point::max());
        co_await timer_.async_wait(use_nothrow);
    }
    --pending_;
}

// ---- fake_gateway ----------------------------------------------------------

fake_gateway::fake_gateway(asio::any_io_executor ex, config::link_config limits)
    : connected(ex), kicked(ex), ex_(ex), limits_(limits)
{
}

fake_gateway::~fake_gateway()
{
    stop();
}

void fake_gateway::listen(std::uint16_t port)
{
    link::link_options options;
    options.limits = limits_;
    options.role = "gateway";
    options.peer_role = "room";
    options.software = "fake-gateway";
    options.log = [](std::string_view) {};
    server_ = link::link_server::create(ex_, options);
    // The handlers only touch this object, which outlives the server's
    // handlers (stop() runs in the destructor and no handler runs after it).
    server_->set_handlers({
        .on_connected =
            [this] {
                ++connects;
                for (const auto& e : greeting) server_->send_event(e);
                connected.notify();
            },
        .on_disconnected = {},
        .on_event = {},
        .on_request =
            [this](proto::request req, link::responder r) {
                if (auto* k = std::get_if<proto::kick>(&req)) {
                    kicks.push_back(*k);
                    r.reply(proto::empty_result{});
                    kicked.notify();
                    return;
                }
                r.fail("unsupported", "fake gateway");
            },
    });
    server_->listen({"127.0.0.1", port});
    port_ = server_->local_endpoint().port();
}

void fake_gateway::stop()
{
    if (server_) server_->stop();
}

// ---- HTTP ------------------------------------------------------------------

asio::awaitable<http_reply> http_get(std::uint16_t port, std::string target)
{
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                  asio::use_awaitable);
    http::request<http::empty_body> req(http::verb::get, target, 11);
    req.set(http::field::host, "127.0.0.1");
    co_await http::async_write(stream, req, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return http_reply{parser.get().result_int(), parser.get().body()};
}

// ---- ws_client -------------------------------------------------------------

struct ws_client::impl {
    explicit impl(asio::any_io_executor ex) : ws(ex) {}
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;
};

ws_client::ws_client(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
ws_client::~ws_client() = default;

asio::awaitable<std::unique_ptr<ws_client>> ws_client::open(std::uint16_t port, std::string room)
{
    auto p = std::make_unique<impl>(co_await asio::this_coro::executor);
    co_await beast::get_lowest_layer(p->ws).async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), asio::use_awaitable);
    const std::string host = "127.0.0.1:" + std::to_string(port);
    const std::string target = "/ws?room=" + room;
    co_await p->ws.async_handshake(host, target, asio::use_awaitable);
    co_return std::unique_ptr<ws_client>(new ws_client(std::move(p)));
}

asio::awaitable<json> ws_client::next()
{
    if (!backlog_.empty()) {
        json j = std::move(backlog_.front());
        backlog_.pop_front();
        co_return j;
    }
    impl_->buffer.clear();
    co_await impl_->ws.async_read(impl_->buffer, asio::use_awaitable);
    co_return json::parse(beast::buffers_to_string(impl_->buffer.data()));
}

asio::awaitable<json> ws_client::next_of(std::string type)
{
    for (;;) {
        json j = co_await next();
        if (j.value("type", "") == type) co_return j;
    }
}

asio::awaitable<json> ws_client::next_media(json reachable)
{
    for (;;) {
        json j = co_await next();
        const auto type = j.value("type", "");
        if ((type == "media" || type == "snapshot") && j["media"]["reachable"] == reachable) {
            co_return j["media"];
        }
    }
}

asio::awaitable<json> ws_client::command(json cmd)
{
    const auto id = next_id_++;
    cmd["id"] = id;
    const std::string text = cmd.dump();
    co_await impl_->ws.async_write(asio::buffer(text), asio::use_awaitable);
    for (;;) {
        impl_->buffer.clear();
        co_await impl_->ws.async_read(impl_->buffer, asio::use_awaitable);
        json j = json::parse(beast::buffers_to_string(impl_->buffer.data()));
        if (j.value("type", "") == "reply" && j["id"] == id) co_return j;
        backlog_.push_back(std::move(j));
    }
}

asio::awaitable<void> ws_client::close()
{
    co_await impl_->ws.async_close(websocket::close_code::normal, use_nothrow);
}

}  // namespace ovs::room::link_testing
