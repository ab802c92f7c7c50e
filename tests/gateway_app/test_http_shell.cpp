// The gateway's HTTP behaviour comes from libs/net, as the room's does:
// HEAD without a body, 413/400 with a graceful close, the connection cap.
// The same checks run against the room in tests/room_app.
#include "test_support.hpp"

#include <ovs/gateway/gateway_service.hpp>
#include <ovs/testing/clients.hpp>

namespace ovs::gateway::test {
namespace {

using ovs::testing::raw_exchange;
using ovs::testing::raw_exchange_ended;

std::size_t count_of(const std::string& text, const std::string& what)
{
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

struct gateway_fixture {
    asio::io_context ioc;
    config::config cfg;
    std::unique_ptr<gateway_service> gateway;

    explicit gateway_fixture(config::config c)
    {
        cfg = std::move(c);
        cfg.ome.api.port = refused_port(ioc);
        gateway =
            std::make_unique<gateway_service>(ioc.get_executor(), cfg, [](std::string_view) {});
        gateway->start();
    }
    ~gateway_fixture() { gateway->stop(); }
};

asio::awaitable<std::string> head_then_get(std::uint16_t port)
{
    co_return co_await raw_exchange(
        port,
        "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
}

asio::awaitable<ovs::testing::raw_result> post_raw(std::uint16_t port, std::string bytes)
{
    co_return co_await raw_exchange_ended(port, std::move(bytes));
}

}  // namespace

TEST_CASE("gateway HTTP: HEAD has no body, so the next answer is framed right", "[loopback]")
{
    gateway_fixture f(make_config(0));
    auto raw = run_coroutine(f.ioc, head_then_get(f.gateway->http_port()));
    INFO(raw);
    auto end_of_head = raw.find("\r\n\r\n");
    REQUIRE(end_of_head != std::string::npos);
    CHECK(raw.compare(end_of_head + 4, 9, "HTTP/1.1 ") == 0);
    CHECK(count_of(raw, "HTTP/1.1 200") == 2);
    CHECK(count_of(raw, R"({"status":"ok"})") == 1);
    CHECK(raw.find("Server: ovenspace-gateway/") != std::string::npos);
    CHECK(count_of(raw, "X-Content-Type-Options: nosniff\r\n") == 2);
    CHECK(count_of(raw, "Referrer-Policy: no-referrer\r\n") == 2);
}

TEST_CASE("gateway HTTP: an oversized webhook gets 413 and a graceful close", "[loopback]")
{
    gateway_fixture f(make_config(0));
    std::string body(f.cfg.gateway.max_webhook_body_bytes * 8, 'x');
    auto r = run_coroutine(f.ioc,
                           post_raw(f.gateway->http_port(),
                                    "POST /v1/admission HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                        std::to_string(body.size()) + "\r\n\r\n" + body));
    INFO(r.bytes);
    CHECK(r.bytes.rfind("HTTP/1.1 413 ", 0) == 0);
    CHECK(r.end == asio::error::eof);
}

TEST_CASE("gateway HTTP: a malformed request gets 400 and a graceful close", "[loopback]")
{
    gateway_fixture f(make_config(0));
    auto r = run_coroutine(f.ioc, post_raw(f.gateway->http_port(), "NOT HTTP AT ALL\r\n\r\n"));
    INFO(r.bytes);
    CHECK(r.bytes.rfind("HTTP/1.1 400 ", 0) == 0);
    CHECK(r.end == asio::error::eof);
}

namespace {

asio::awaitable<std::vector<unsigned>> three_connections(std::uint16_t port)
{
    auto ex = co_await asio::this_coro::executor;
    // Two idle connections fill gateway.max_http_connections (2).
    tcp::socket a(ex), b(ex);
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    co_await a.async_connect(ep, asio::use_awaitable);
    co_await b.async_connect(ep, asio::use_awaitable);
    asio::steady_timer settle(ex, 100ms);
    co_await settle.async_wait(use_nothrow);
    auto third = co_await http_call(port, "GET", "/healthz", "", {});
    a.close();
    b.close();
    settle.expires_after(100ms);
    co_await settle.async_wait(use_nothrow);
    auto fourth = co_await http_call(port, "GET", "/healthz", "", {});
    co_return std::vector<unsigned>{third.status, fourth.status};
}

}  // namespace

TEST_CASE("gateway HTTP: connections over gateway.max_http_connections get 503", "[loopback]")
{
    auto cfg = make_config(0);
    cfg.gateway.max_http_connections = 2;
    gateway_fixture f(cfg);
    auto statuses = run_coroutine(f.ioc, three_connections(f.gateway->http_port()));
    CHECK(statuses == std::vector<unsigned>{503, 200});
    CHECK_THAT(f.gateway->metrics_text(),
               Catch::Contains("ovs_gateway_http_connections_refused_total 1"));
}

}  // namespace ovs::gateway::test

namespace ovs::gateway::test {

TEST_CASE("gateway: a port in use is named, with its config key, in the start error", "[loopback]")
{
    asio::io_context ioc;
    tcp::acceptor busy(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = busy.local_endpoint().port();
    for (bool link : {true, false}) {
        auto cfg = make_config(refused_port(ioc));
        (link ? cfg.gateway.link : cfg.gateway.http) = {"127.0.0.1", port};
        gateway_service gateway(ioc.get_executor(), cfg, [](std::string_view) {});
        try {
            gateway.start();
            FAIL("started on a busy port");
        } catch (const std::exception& e) {
            const std::string m = e.what();
            INFO(m);
            CHECK_THAT(m,
                       Catch::Contains("127.0.0.1:" + std::to_string(port) +
                                       (link ? " (gateway.link)" : " (gateway.http)")));
            CHECK_THAT(m, Catch::Contains("choose another port"));
        }
        gateway.stop();
    }
}

}  // namespace ovs::gateway::test
