// The WebSocket side of libs/net's server: the upgrade hand-off, the
// pre-upgrade total, queues, limits and the close paths.
#include "toy_service.hpp"

#include <catch2/catch.hpp>

namespace ovs::net::test {

namespace {

// Waits (bounded) until the server side has seen `n` sessions end.
asio::awaitable<void> until_closes(const toy_record* r, std::size_t n)
{
    for (int i = 0; i < 200 && r->closes.size() < n; ++i) co_await sleep_for(10ms);
}

ws_client::options at(std::string target)
{
    ws_client::options o;
    o.target = std::move(target);
    return o;
}

asio::awaitable<void> echo_and_close(std::uint16_t port, const toy_record* r)
{
    auto c = co_await ws_client::connect(port, at("/ws"));
    REQUIRE(!c.ec);
    CHECK(c.http_status == 101);
    co_await c.client->send("one");
    auto one = co_await c.client->next_text();
    CHECK(one == "one");
    co_await c.client->send("close");
    auto code = co_await c.client->until_closed();
    CHECK(code == 4000);
    co_await until_closes(r, 1);
    REQUIRE(r->closes.size() == 1);
    CHECK(r->closes[0] == ws_end::server_closed);
}

asio::awaitable<void> total_before_upgrade(std::uint16_t port, const server* srv)
{
    auto first = co_await ws_client::connect(port, at("/ws"));
    REQUIRE(!first.ec);
    auto second = co_await ws_client::connect(port, at("/ws"));
    CHECK(second.ec);
    CHECK(second.http_status == 503);
    CHECK(srv->stats().ws_refused_full == 1);
    CHECK(srv->stats().ws_upgrades == 1);
    // The first still works.
    co_await first.client->send("still here");
    auto echo = co_await first.client->next_text();
    CHECK(echo == "still here");
}

asio::awaitable<void> service_refuses(std::uint16_t port)
{
    auto c = co_await ws_client::connect(port, at("/elsewhere"));
    CHECK(c.ec);
    CHECK(c.http_status == 403);
}

asio::awaitable<void> slow_reader(std::uint16_t port, const server* srv, const toy_record* r)
{
    ws_client::options small = at("/ws");
    small.receive_buffer = 4096;
    auto slow = co_await ws_client::connect(port, small);
    auto fine = co_await ws_client::connect(port, at("/ws"));
    REQUIRE(!slow.ec);
    REQUIRE(!fine.ec);
    // 200 frames of 16 KiB to a client that does not read: its queue fills
    // and it is dropped; nobody else notices.
    co_await slow.client->send("flood 200");
    co_await until_closes(r, 1);
    REQUIRE(r->closes.size() == 1);
    CHECK(r->closes[0] == ws_end::dropped);
    CHECK(srv->stats().ws_dropped_slow == 1);
    co_await fine.client->send("ping");
    auto pong = co_await fine.client->next_text();
    CHECK(pong == "ping");
}

asio::awaitable<void> too_big(std::uint16_t port, const server* srv, const toy_record* r)
{
    auto c = co_await ws_client::connect(port, at("/ws"));
    REQUIRE(!c.ec);
    co_await c.client->send(std::string(5000, 'z'));
    auto code = co_await c.client->until_closed();
    CHECK(code == 1009);
    co_await until_closes(r, 1);
    REQUIRE(r->closes.size() == 1);
    CHECK(r->closes[0] == ws_end::message_too_big);
    CHECK(srv->stats().ws_too_big == 1);
}

asio::awaitable<void> stop_closes(std::uint16_t port,
                                  server* srv,
                                  const toy_record* r,
                                  bool* drained)
{
    auto a = co_await ws_client::connect(port, at("/ws"));
    auto b = co_await ws_client::connect(port, at("/ws"));
    REQUIRE(!a.ec);
    REQUIRE(!b.ec);
    srv->stop([drained] { *drained = true; });
    auto code_a = co_await a.client->until_closed();
    auto code_b = co_await b.client->until_closed();
    CHECK(code_a == 1001);
    CHECK(code_b == 1001);
    co_await until_closes(r, 2);
    CHECK(r->closes.size() == 2);
    for (int i = 0; i < 100 && !*drained; ++i) co_await sleep_for(10ms);
    CHECK(*drained);
    // Nothing new is accepted.
    auto late = co_await ws_client::connect(port, at("/ws"));
    CHECK(late.ec);
}

// Our pre-encoded frames, gathered into one write and split across partial
// writes (a small receive buffer, a reader that pauses), read by Beast's own
// reader: every frame whole, in order. Pings sent meanwhile make Beast
// write pongs on the same socket, between our frames, never inside one.
asio::awaitable<void> burst_read_whole(std::uint16_t port)
{
    auto o = at("/ws");
    o.receive_buffer = 4096;
    auto c = co_await ws_client::connect(port, o);
    REQUIRE(!c.ec);
    constexpr unsigned long rounds = 6;
    co_await c.client->send("burst " + std::to_string(rounds));
    co_await sleep_for(50ms);  // the server fills the socket and waits for room
    for (int i = 0; i < 3; ++i) co_await c.client->ping();
    for (unsigned long r = 0; r < rounds; ++r) {
        for (std::size_t size : burst_sizes) {
            auto text = co_await c.client->next_text();
            REQUIRE(text);
            REQUIRE(text->size() == size);
            CHECK(text->find_first_not_of(static_cast<char>('a' + r % 26)) == std::string::npos);
        }
    }
    auto end = co_await c.client->next_text();
    CHECK(end == "end");
    CHECK(c.client->pongs() == 3);
    // Still a working connection both ways.
    co_await c.client->send("after");
    auto after = co_await c.client->next_text();
    CHECK(after == "after");
}

}  // namespace

TEST_CASE("net: queued frames go out gathered and arrive whole, pongs between them", "[loopback]")
{
    auto o = toy_options();
    o.ws.socket_send_buffer = 8 * 1024;
    toy_fixture f(o);
    f.run(burst_read_whole(f.port));
    // Not dropped as a slow reader on the way (the client's leaving ends it).
    for (auto why : f.record->closes) CHECK(why != ws_end::dropped);
}

TEST_CASE("net: a WebSocket echoes and closes with the service's code", "[loopback]")
{
    toy_fixture f;
    f.run(echo_and_close(f.port, f.record.get()));
    CHECK(f.srv.stats().ws_sessions == 0);
}

TEST_CASE("net: the WebSocket total is checked before the upgrade", "[loopback]")
{
    auto o = toy_options();
    o.ws.max_sessions = 1;
    toy_fixture f(o);
    f.run(total_before_upgrade(f.port, &f.srv));
}

TEST_CASE("net: a service may refuse an upgrade with its own answer", "[loopback]")
{
    toy_fixture f;
    f.run(service_refuses(f.port));
    CHECK(f.srv.stats().ws_upgrades == 0);
}

TEST_CASE("net: a peer that stops reading is dropped once its queue is full", "[loopback]")
{
    auto o = toy_options();
    o.ws.send_queue_messages = 16;
    o.ws.socket_send_buffer = 16 * 1024;
    toy_fixture f(o);
    f.run(slow_reader(f.port, &f.srv, f.record.get()));
}

TEST_CASE("net: a message over the limit closes with 1009", "[loopback]")
{
    toy_fixture f;
    f.run(too_big(f.port, &f.srv, f.record.get()));
}

TEST_CASE("net: stop closes every WebSocket with 1001 and reports the drain", "[loopback]")
{
    toy_fixture f;
    bool drained = false;
    f.run(stop_closes(f.port, &f.srv, f.record.get(), &drained));
}

}  // namespace ovs::net::test
