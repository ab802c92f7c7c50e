// The HTTP side of libs/net's server, against a toy service.
#include "toy_service.hpp"

#include <ovs/log/log.hpp>
#include <ovs/net/spawn.hpp>

#include <catch2/catch.hpp>

#include <mutex>

namespace ovs::net::test {

namespace {

std::size_t count_of(const std::string& text, const std::string& what)
{
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

asio::awaitable<void> keep_alive(std::uint16_t port)
{
    auto c = co_await http_connection::open(port);
    for (int i = 0; i < 3; ++i) {
        co_await c->send("GET", "/hello");
        auto r = co_await c->read();
        CHECK(r.status == 200);
        CHECK(r.body == "hello\n");
        CHECK(r.headers["server"] == "ovenspace-toy/1");
        CHECK(r.headers["content-length"] == "6");
    }
    auto missing = co_await http_request(port, "GET", "/nothing");
    CHECK(missing.status == 404);
    CHECK(missing.headers["server"] == "ovenspace-toy/1");
    CHECK(json::parse(missing.body)["error"]["code"] == "not_found");
    // The security headers on every answer, errors too.
    CHECK(missing.headers["x-content-type-options"] == "nosniff");
    CHECK(missing.headers["referrer-policy"] == "no-referrer");
}

asio::awaitable<void> head_then_get(std::uint16_t port)
{
    // A HEAD answer carries the GET's Content-Length and no body: the next
    // response on the connection must start right after its headers.
    auto raw = co_await raw_exchange(port,
                                     "HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                                     "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    INFO(raw);
    auto end_of_head = raw.find("\r\n\r\n");
    REQUIRE(end_of_head != std::string::npos);
    CHECK(raw.substr(0, end_of_head).find("Content-Length: 6") != std::string::npos);
    CHECK(raw.compare(end_of_head + 4, 9, "HTTP/1.1 ") == 0);
    CHECK(count_of(raw, "HTTP/1.1 200") == 2);
    CHECK(count_of(raw, "hello\n") == 1);
}

asio::awaitable<void> too_large_body(std::uint16_t port)
{
    // The whole body is sent before the answer is read, as a naive client
    // does: the server must drain it (linger) so the client reads the 413
    // and a graceful end, not a reset.
    std::string body(200 * 1024, 'x');
    auto r = co_await raw_exchange_ended(port,
                                         "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                             std::to_string(body.size()) + "\r\n\r\n" + body);
    INFO(r.bytes);
    CHECK(r.bytes.rfind("HTTP/1.1 413 ", 0) == 0);
    CHECK(r.bytes.find("\"too_large\"") != std::string::npos);
    CHECK(r.bytes.find("Connection: close") != std::string::npos);
    CHECK(r.end == asio::error::eof);
}

asio::awaitable<void> too_large_header(std::uint16_t port)
{
    auto r = co_await raw_exchange_ended(
        port, "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'y') + "\r\n\r\n");
    INFO(r.bytes);
    CHECK(r.bytes.rfind("HTTP/1.1 431 ", 0) == 0);
    CHECK(r.end == asio::error::eof);
}

asio::awaitable<void> malformed(std::uint16_t port)
{
    for (std::string bad : {"GARBAGE\r\n\r\n",
                            "GET /hello HTTP/9.9\r\n\r\n",
                            "GET /hello HTTP/1.1\r\nBad Header\r\n\r\n",
                            "POST /echo HTTP/1.1\r\nContent-Length: nope\r\n\r\n"}) {
        auto r = co_await raw_exchange_ended(port, bad + "GET /hello HTTP/1.1\r\n\r\n");
        INFO(bad << "\n---\n" << r.bytes);
        CHECK(r.bytes.rfind("HTTP/1.1 400 ", 0) == 0);
        CHECK(r.bytes.find("\"bad_request\"") != std::string::npos);
        // Nothing after the refusal is served: the connection ends.
        CHECK(count_of(r.bytes, "HTTP/1.1 ") == 1);
        CHECK(r.end == asio::error::eof);
    }
}

}  // namespace

TEST_CASE("net: keep-alive requests share a connection, every answer says Server", "[loopback]")
{
    toy_fixture f;
    f.run(keep_alive(f.port));
    CHECK(f.srv.stats().http_requests == 4);
}

TEST_CASE("net: HEAD answers with the GET's headers and no body", "[loopback]")
{
    toy_fixture f;
    f.run(head_then_get(f.port));
}

TEST_CASE("net: limits and malformed requests get 413, 431, 400 and a graceful close", "[loopback]")
{
    toy_fixture f;
    SECTION("body over the limit")
    {
        f.run(too_large_body(f.port));
    }
    SECTION("headers over the limit")
    {
        f.run(too_large_header(f.port));
    }
    SECTION("malformed")
    {
        f.run(malformed(f.port));
    }
}

namespace {

asio::awaitable<void> cap(std::uint16_t port, const server* srv)
{
    auto a = co_await http_connection::open(port);
    auto b = co_await http_connection::open(port);
    co_await a->send("GET", "/hello");
    auto ra = co_await a->read();
    CHECK(ra.status == 200);
    co_await b->send("GET", "/hello");
    auto rb = co_await b->read();
    CHECK(rb.status == 200);
    // Two open: the third is refused before anything is read.
    auto refused = co_await raw_exchange_ended(port, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    INFO(refused.bytes);
    CHECK(refused.bytes.rfind("HTTP/1.1 503 ", 0) == 0);
    CHECK(refused.bytes.find("\"busy\"") != std::string::npos);
    CHECK(refused.bytes.find("X-Content-Type-Options: nosniff\r\n") != std::string::npos);
    CHECK(srv->stats().http_connections_refused == 1);
    // One goes away: there is room again.
    a.reset();
    for (int i = 0; i < 100 && srv->stats().http_connections > 1; ++i) co_await sleep_for(10ms);
    auto again = co_await http_request(port, "GET", "/hello");
    CHECK(again.status == 200);
}

asio::awaitable<void> service_throws(std::uint16_t port)
{
    auto c = co_await http_connection::open(port);
    co_await c->send("GET", "/throw");
    auto r = co_await c->read();
    CHECK(r.status == 500);
    CHECK(json::parse(r.body)["error"]["code"] == "internal");
    CHECK(r.headers["connection"] == "close");
    auto after = co_await http_request(port, "GET", "/hello");
    CHECK(after.status == 200);
}

}  // namespace

TEST_CASE("net: plain HTTP connections are counted and capped", "[loopback]")
{
    auto o = toy_options();
    o.max_http_connections = 2;
    toy_fixture f(o);
    f.run(cap(f.port, &f.srv));
}

TEST_CASE("net: a service's exception is a 500 and a log line naming the request", "[loopback]")
{
    std::mutex mutex;
    std::vector<std::string> errors;
    log::set_tap(
        [&](log::level l, std::string_view m) {
            std::lock_guard lock(mutex);
            if (l == log::level::error) errors.emplace_back(m);
        },
        true);
    auto failures_before = spawn_failures();
    {
        toy_fixture f;
        f.run(service_throws(f.port));
    }
    log::set_tap({});
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("toy: GET /throw: the toy service failed on purpose") !=
          std::string::npos);
    CHECK(spawn_failures() == failures_before);
}

TEST_CASE("net: a bind failure names the address and the config key and says what to do",
          "[loopback]")
{
    toy_fixture first;
    auto o = toy_options();
    o.port = first.port;
    asio::io_context io;
    server second(io.get_executor(), o, std::make_shared<toy_service>(first.record));
    try {
        second.start();
        FAIL("binding a port in use succeeded");
    } catch (const bind_error& e) {
        std::string m = e.what();
        INFO(m);
        CHECK(m.find("127.0.0.1:" + std::to_string(first.port) + " (toy.listen)") !=
              std::string::npos);
        CHECK(m.find("choose another port") != std::string::npos);
    }
    o.address = "not-an-address";
    server third(io.get_executor(), o, std::make_shared<toy_service>(first.record));
    CHECK_THROWS_WITH(third.start(), Catch::Contains("not an IP address"));
}

namespace {

asio::awaitable<void> one_request(std::uint16_t port, int* ok, latch* all)
{
    auto r = co_await http_request(port, "GET", "/hello");
    if (r.status == 200) ++*ok;
    all->count_down();
}

asio::awaitable<void> burst(std::uint16_t port, int n)
{
    auto ex = co_await asio::this_coro::executor;
    int ok = 0;
    latch all(ex, static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) spawn(ex, one_request(port, &ok, &all), "burst client");
    co_await all.wait();
    CHECK(ok == n);
}

}  // namespace

TEST_CASE("net: a burst of connections is accepted and served", "[loopback]")
{
    auto o = toy_options();
    o.max_http_connections = 1000;
    toy_fixture f(o);
    f.run(burst(f.port, 300));
    CHECK(f.srv.stats().http_connections_total == 300);
    CHECK(f.srv.stats().http_connections_refused == 0);
}

namespace {

asio::awaitable<void> stop_while_busy(std::uint16_t port, server* srv, bool* drained)
{
    auto idle = co_await http_connection::open(port);
    co_await idle->send("GET", "/hello");
    auto first = co_await idle->read();
    CHECK(first.status == 200);
    auto busy = co_await http_connection::open(port);
    co_await busy->send("GET", "/slow");
    co_await sleep_for(50ms);
    srv->stop([drained] { *drained = true; });
    // The request in progress still gets its answer, with Connection: close.
    auto r = co_await busy->read();
    CHECK(r.status == 200);
    CHECK(r.headers["connection"] == "close");
    // The idle connection was closed.
    bool idle_closed = false;
    try {
        co_await idle->send("GET", "/hello");
        co_await idle->read();
    } catch (const std::exception&) {
        idle_closed = true;
    }
    CHECK(idle_closed);
    for (int i = 0; i < 100 && !*drained; ++i) co_await sleep_for(10ms);
    CHECK(*drained);
}

}  // namespace

TEST_CASE("net: stop closes idle connections and finishes the answers in progress", "[loopback]")
{
    toy_fixture f;
    bool drained = false;
    f.run(stop_while_busy(f.port, &f.srv, &drained));
}

}  // namespace ovs::net::test
