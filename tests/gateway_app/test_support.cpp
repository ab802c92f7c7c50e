#include "test_support.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fstream>
#include <sstream>

namespace ovs::gateway::test {

std::uint16_t refused_port(asio::io_context& ioc)
{
    tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = acceptor.local_endpoint().port();
    acceptor.close();
    return port;
}

config::config make_config(std::uint16_t ome_api_port)
{
    config::config c;
    c.source = "test";
    c.mode = config::admission_mode::webhook;
    c.ome.host = "127.0.0.1";
    c.ome.api.port = ome_api_port;
    c.ome.api.access_token = "ome-access-token";
    c.ome.api.timeout = 500ms;
    c.ome.webhook_secret = "ome-webhook-secret";
    c.gateway.http = {"127.0.0.1", 0};
    c.gateway.link = {"127.0.0.1", 0};
    c.gateway.metrics = {"127.0.0.1", 0};
    c.gateway.poll_interval = 100ms;
    c.gateway.poll_backoff_max = 400ms;
    c.gateway.admission_timeout = 300ms;
    c.link.secret = "gateway-test-link-secret-0123";
    c.link.reconnect_min = 20ms;
    c.link.reconnect_max = 100ms;
    c.rooms = {config::room_def{"main", "OvenSpace", 9, "stream"}};
    return c;
}

bool run_until(asio::io_context& ioc,
               const std::function<bool()>& done,
               std::chrono::milliseconds limit)
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        if (ioc.stopped()) ioc.restart();
        ioc.run_for(5ms);
    }
    return done();
}

asio::awaitable<http_answer> http_call(std::uint16_t port,
                                       std::string method,
                                       std::string target,
                                       std::string body,
                                       std::vector<std::pair<std::string, std::string>> headers)
{
    auto ex = co_await asio::this_coro::executor;
    beast::tcp_stream stream(ex);
    stream.expires_after(5s);
    co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                  asio::use_awaitable);
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = std::move(body);
    req.prepare_payload();
    co_await http::async_write(stream, req, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    co_await http::async_read(stream, buffer, res, asio::use_awaitable);
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return http_answer{
        res.result_int(), res.body(), std::string(res[http::field::content_type])};
}

fake_room::fake_room(asio::io_context& ioc, std::uint16_t gateway_link_port)
{
    link::link_options options;
    options.limits = make_config(0).link;
    options.role = "room";
    options.peer_role = "gateway";
    options.software = "fake-room";
    options.log = [](std::string_view) {};
    options.rng_seed = 1;
    client = link::link_client::create(
        ioc.get_executor(), options, config::endpoint{"127.0.0.1", gateway_link_port});
    link::peer_handlers handlers;
    handlers.on_connected = [this] { connected = true; };
    handlers.on_disconnected = [this](const std::string&) { connected = false; };
    handlers.on_event = [this](proto::event e) { events.push_back(std::move(e)); };
    handlers.on_request = [this](proto::request req, link::responder r) {
        if (std::holds_alternative<proto::seat_holds>(req)) {
            ++holds_asked;
            if (!holds) return r.fail("unsupported", "this fake room does not report holds");
            return r.reply(proto::held_streams{*holds});
        }
        auto* check = std::get_if<proto::admission_check>(&req);
        if (!check) return r.fail("unsupported", "fake room answers admission checks only");
        checks.push_back(*check);
        if (hold_answers) {
            held.push_back(r);
            return;
        }
        r.reply(decide ? decide(*check) : proto::reply_body{proto::admission_result{true, "ok"}});
    };
    client->set_handlers(std::move(handlers));
    client->start();
}

fake_room::~fake_room()
{
    client->stop();
}

std::string read_fixture(const std::string& relative_path)
{
    std::ifstream in(std::string(OVS_FIXTURES_DIR) + "/" + relative_path, std::ios::binary);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace ovs::gateway::test
