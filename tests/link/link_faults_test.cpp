// Misbehaving peers, played by raw sockets: malformed and oversized lines,
// a wrong protocol version, and a silent (half-open-like) peer.

#include "link_test_support.hpp"

#include <ovs/proto/codec.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <chrono>

using namespace ovs;
using namespace ovs::link;
using namespace ovs::link::test;
using namespace std::chrono_literals;

namespace {

// Connects, sends `payload`, then reads until the server closes; returns all
// it read.
asio::awaitable<std::string> raw_session(unsigned short port, std::string payload)
{
    auto ex = co_await asio::this_coro::executor;
    tcp::socket s(ex);
    co_await s.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                             asio::use_awaitable);
    co_await asio::async_write(s, asio::buffer(payload), asio::use_awaitable);
    std::string received;
    auto [ec, n] =
        co_await asio::async_read(s, asio::dynamic_buffer(received, 1 << 20), use_nothrow);
    (void)n;
    (void)ec;  // eof or reset: either way the server closed
    co_return received;
}

std::vector<proto::message> decode_all(const std::string& text)
{
    std::vector<proto::message> out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t nl = text.find('\n', start);
        if (nl == std::string::npos) break;
        auto r = proto::decode(std::string_view(text).substr(start, nl - start + 1));
        if (r) out.push_back(r.value());
        start = nl + 1;
    }
    return out;
}

std::string error_code_in(const std::vector<proto::message>& msgs)
{
    for (const auto& m : msgs)
        if (auto* e = std::get_if<proto::error_message>(&m)) return e->error.code;
    return "";
}

struct fault_results {
    std::string garbage;
    std::string oversized;
    std::string bad_version;
    std::string number_overflow;
    bool room_still_connected = false;
    bool room_request_ok = false;
};

asio::awaitable<void> fault_scenario(unsigned short port,
                                     std::shared_ptr<link_server> server,
                                     std::shared_ptr<link_client> room,
                                     std::shared_ptr<fault_results> out)
{
    // Arguments are named variables, not temporaries (g++ 12 co_await bug).
    std::string garbage = "this is not json\n";
    out->garbage = co_await raw_session(port, garbage);
    std::string oversized = std::string(2000, 'x') + "\n";
    out->oversized = co_await raw_session(port, oversized);
    std::string bad_version = proto::encode(proto::hello{99, "room", "raw", ""});
    out->bad_version = co_await raw_session(port, bad_version);
    // A number too large for any type: the JSON parser throws out_of_range,
    // not parse_error (found by fuzz_link_codec). Still bad_json, at once.
    std::string number_overflow = R"({"type":"hello","protocol":1e999,"role":"room"})"
                                  "\n";
    out->number_overflow = co_await raw_session(port, number_overflow);
    // The proper room connection never noticed any of it.
    out->room_still_connected = server->connected() && room->connected();
    proto::request kick = proto::kick{0, "stream1", "test"};
    auto rep = co_await room->request(std::move(kick));
    out->room_request_ok = rep.ok();
    room->stop();
    server->stop();
}

}  // namespace

TEST_CASE("bad lines close only their own connection", "[loopback][link]")
{
    asio::io_context ioc;
    auto logs = std::make_shared<std::vector<std::string>>();
    auto server = link_server::create(ioc.get_executor(), fast_options("gateway", logs));
    server->listen(loopback(0));
    const auto port = server->local_endpoint().port();
    auto room = link_client::create(ioc.get_executor(), fast_options("room", logs), loopback(port));
    auto out = std::make_shared<fault_results>();

    server->set_handlers(
        {.on_connected =
             [&] { asio::co_spawn(ioc, fault_scenario(port, server, room, out), rethrow); },
         .on_disconnected = {},
         .on_event = {},
         .on_request = [](proto::request, responder r) { r.reply(proto::empty_result{}); }});
    room->start();
    ioc.run_for(5s);
    REQUIRE(ioc.stopped());

    // Each raw peer got the server's hello, then an error naming the
    // problem, then the close.
    auto garbage = decode_all(out->garbage);
    REQUIRE_FALSE(garbage.empty());
    CHECK(std::holds_alternative<proto::hello>(garbage.front()));
    CHECK(error_code_in(garbage) == "bad_json");
    CHECK(error_code_in(decode_all(out->oversized)) == "too_large");
    CHECK(error_code_in(decode_all(out->bad_version)) == "version_mismatch");
    CHECK(error_code_in(decode_all(out->number_overflow)) == "bad_json");
    CHECK(out->room_still_connected);
    CHECK(out->room_request_ok);
    CHECK(logged(*logs, "protocol error (bad_json)"));
    CHECK(logged(*logs, "protocol error (too_large)"));
}

namespace {

struct silent_results {
    std::string received;
    std::string reason;
};

asio::awaitable<void> silent_peer(unsigned short port,
                                  std::shared_ptr<link_server> server,
                                  std::shared_ptr<silent_results> out)
{
    // Authenticates like a room would, then never sends another byte (not
    // even a pong), as a peer whose host vanished would.
    auto ex = co_await asio::this_coro::executor;
    tcp::socket s(ex);
    co_await s.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                             asio::use_awaitable);
    std::string buffer;
    out->received = co_await raw_room_handshake(s, buffer, test_secret);
    out->received += "\n" + buffer;
    auto [ec, n] =
        co_await asio::async_read(s, asio::dynamic_buffer(out->received, 1 << 20), use_nothrow);
    (void)ec;
    (void)n;
    server->stop();
}

}  // namespace

TEST_CASE("heartbeat closes a silent peer within heartbeat_timeout", "[loopback][link]")
{
    asio::io_context ioc;
    auto logs = std::make_shared<std::vector<std::string>>();
    auto server = link_server::create(ioc.get_executor(), fast_options("gateway", logs));
    server->listen(loopback(0));
    const auto port = server->local_endpoint().port();
    auto out = std::make_shared<silent_results>();
    bool connected = false;
    server->set_handlers({.on_connected = [&] { connected = true; },
                          .on_disconnected = [&](const std::string& r) { out->reason = r; },
                          .on_event = {},
                          .on_request = {}});
    asio::co_spawn(ioc, silent_peer(port, server, out), rethrow);
    ioc.run_for(5s);
    REQUIRE(ioc.stopped());
    CHECK(connected);
    CHECK(out->reason.find("heartbeat timeout") != std::string::npos);
    // The server pinged the silent peer before giving up.
    bool pinged = false;
    for (const auto& m : decode_all(out->received))
        pinged = pinged || std::holds_alternative<proto::ping>(m);
    CHECK(pinged);
}

namespace {

asio::awaitable<void> mute_peer(unsigned short port,
                                std::shared_ptr<link_server> server,
                                std::shared_ptr<silent_results> out)
{
    std::string nothing;
    out->received = co_await raw_session(port, nothing);
    server->stop();
}

}  // namespace

TEST_CASE("a peer that never authenticates is closed at the handshake deadline", "[loopback][link]")
{
    asio::io_context ioc;
    auto logs = std::make_shared<std::vector<std::string>>();
    auto server = link_server::create(ioc.get_executor(), fast_options("gateway", logs));
    server->listen(loopback(0));
    const auto port = server->local_endpoint().port();
    auto out = std::make_shared<silent_results>();
    asio::co_spawn(ioc, mute_peer(port, server, out), rethrow);
    ioc.run_for(5s);
    REQUIRE(ioc.stopped());
    CHECK(logged(*logs, "not authenticated within 300 ms"));
    CHECK(server->handshake_failures().at("timeout") == 1);
    // It got the server's hello, and nothing after it but the close.
    auto msgs = decode_all(out->received);
    REQUIRE(msgs.size() == 1);
    CHECK(std::holds_alternative<proto::hello>(msgs.front()));
}
