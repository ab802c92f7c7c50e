// Link authentication over loopback: only a peer that proves it knows the
// link secret becomes the active connection. Intruders (no secret, a wrong
// one, a replayed proof, idle connections holding the handshake slots) are
// refused and counted, and never disturb the authenticated room.

#include "link_test_support.hpp"

#include <ovs/link/handshake_slots.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include <chrono>

using namespace ovs;
using namespace ovs::link;
using namespace ovs::link::test;
using namespace std::chrono_literals;

namespace {

using clock = std::chrono::steady_clock;

asio::awaitable<void> sleep_for(millis d)
{
    asio::steady_timer t(co_await asio::this_coro::executor);
    t.expires_after(d);
    co_await t.async_wait(use_nothrow);
}

asio::awaitable<tcp::socket> connect_to(unsigned short port)
{
    tcp::socket s(co_await asio::this_coro::executor);
    co_await s.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                             asio::use_awaitable);
    co_return s;
}

// Reads until the server closes (true) or `limit` passes (false).
asio::awaitable<bool> closed_by_server(tcp::socket& s, std::string& received, millis limit)
{
    asio::steady_timer guard(co_await asio::this_coro::executor);
    guard.expires_after(limit);
    bool timed_out = false;
    guard.async_wait([&](error_code ec) {
        if (!ec) {
            timed_out = true;
            error_code ignored;
            s.close(ignored);
        }
    });
    auto [ec, n] =
        co_await asio::async_read(s, asio::dynamic_buffer(received, 1 << 16), use_nothrow);
    (void)ec;
    (void)n;
    guard.cancel();
    co_return !timed_out;
}

std::string error_code_of(const std::string& received)
{
    std::size_t start = 0;
    while (start < received.size()) {
        auto nl = received.find('\n', start);
        if (nl == std::string::npos) break;
        auto r = proto::decode(std::string_view(received).substr(start, nl - start));
        if (r) {
            if (auto* e = std::get_if<proto::error_message>(&r.value())) return e->error.code;
        }
        start = nl + 1;
    }
    return "";
}

struct intruders_seen {
    std::string no_secret;     // error code the server sent
    std::string wrong_secret;  // error code the server sent
    std::string replayed;      // error code the server sent
    std::string forged_kick;   // error code after a kick sent in place of auth
    bool all_closed = true;
    int idle_closed = 0;
    bool room_linked_throughout = true;
    int admissions_answered = 0;
};

// Runs the intruders one after another while the real room is linked,
// checking after each that the room is still the active connection and
// still answers admission checks.
asio::awaitable<void> intruders(unsigned short port,
                                std::shared_ptr<link_server> server,
                                std::shared_ptr<link_client> room,
                                std::shared_ptr<intruders_seen> out)
{
    auto still_linked = [&]() -> asio::awaitable<void> {
        if (!server->connected() || !room->connected()) out->room_linked_throughout = false;
        proto::request req =
            proto::admission_check{0, "stream1", "tok", "publish", "RTMP", "203.0.113.9"};
        auto rep = co_await server->request(std::move(req));
        const auto* result = std::get_if<proto::admission_result>(&rep.body);
        if (result && result->reason == "the real room") ++out->admissions_answered;
    };

    {  // 1. The unauthenticated hello that used to take over (protocol 1).
        // (Lines are named variables: g++ 12 mis-destroys temporaries that
        // share a full expression with co_await.)
        const std::string v1_hello =
            R"({"type":"hello","protocol":1,"role":"room","software":"intruder"})"
            "\n";
        auto s = co_await connect_to(port);
        co_await write_line(s, v1_hello);
        std::string got;
        out->all_closed &= co_await closed_by_server(s, got, 2s);
        out->no_secret = error_code_of(got);
        co_await still_linked();
    }
    {  // 2. A proper handshake with the wrong secret.
        const std::string wrong = "not-the-link-secret-at-all";
        auto s = co_await connect_to(port);
        std::string buffer;
        co_await raw_room_handshake(s, buffer, wrong);
        std::string got = buffer;
        out->all_closed &= co_await closed_by_server(s, got, 2s);
        out->wrong_secret = error_code_of(got);
        co_await still_linked();
    }
    {  // 3. A replay: a valid room proof, made for another connection's nonce.
        std::string old_gateway_nonce;
        {
            auto s = co_await connect_to(port);
            std::string buffer;
            auto line = co_await read_line(s, buffer);
            auto d = proto::decode(line);
            if (d) old_gateway_nonce = std::get<proto::hello>(d.value()).nonce;
        }
        const std::string room_nonce = proto::make_nonce();
        const std::string recorded_hello =
            proto::encode(proto::hello{proto::protocol_version, "room", "replay", room_nonce});
        const std::string recorded_auth = proto::encode(
            proto::auth{proto::link_proof(test_secret, "room", room_nonce, old_gateway_nonce)});
        const std::string recording = recorded_hello + recorded_auth;
        auto s = co_await connect_to(port);
        co_await write_line(s, recording);
        std::string got;
        out->all_closed &= co_await closed_by_server(s, got, 2s);
        out->replayed = error_code_of(got);
        co_await still_linked();
    }
    {  // 4. A forged kick right after hello, instead of the proof.
        const std::string lines =
            proto::encode(
                proto::hello{proto::protocol_version, "room", "kicker", proto::make_nonce()}) +
            proto::encode(proto::kick{1, "stream1", "forged"});
        auto s = co_await connect_to(port);
        co_await write_line(s, lines);
        std::string got;
        out->all_closed &= co_await closed_by_server(s, got, 2s);
        out->forged_kick = error_code_of(got);
        co_await still_linked();
    }
    {  // 5. Eight idle connections: they hold every slot until the deadline.
        std::vector<tcp::socket> idle;
        for (int i = 0; i < 8; ++i) idle.push_back(co_await connect_to(port));
        co_await still_linked();
        for (auto& s : idle) {
            std::string got;
            if (co_await closed_by_server(s, got, 2s)) ++out->idle_closed;
        }
        co_await still_linked();
    }
    room->stop();
    server->stop();
}

}  // namespace

TEST_CASE("intruders never replace the authenticated room", "[loopback][link][auth]")
{
    asio::io_context ioc;
    auto logs = std::make_shared<std::vector<std::string>>();
    auto server = link_server::create(ioc.get_executor(), fast_options("gateway", logs));
    server->listen(loopback(0));
    const auto port = server->local_endpoint().port();
    auto room_options = fast_options("room", logs);
    room_options.peer_role = "gateway";
    auto room = link_client::create(ioc.get_executor(), room_options, loopback(port));
    auto out = std::make_shared<intruders_seen>();
    int connects = 0;
    int disconnects = 0;
    server->set_handlers({.on_connected =
                              [&] {
                                  if (++connects == 1)
                                      asio::co_spawn(
                                          ioc, intruders(port, server, room, out), rethrow);
                              },
                          .on_disconnected = [&](const std::string&) { ++disconnects; },
                          .on_event = {},
                          .on_request = {}});
    room->set_handlers({.on_connected = {},
                        .on_disconnected = {},
                        .on_event = {},
                        .on_request = [](proto::request, responder r) {
                            r.reply(proto::admission_result{true, "the real room"});
                        }});
    room->start();
    ioc.run_for(15s);
    REQUIRE(ioc.stopped());

    CHECK(connects == 1);  // nobody else ever became the active connection
    CHECK(disconnects == 0);
    CHECK(out->room_linked_throughout);
    CHECK(out->admissions_answered == 6);
    CHECK(out->all_closed);
    CHECK(out->no_secret == "version_mismatch");
    CHECK(out->wrong_secret == "auth_failed");
    CHECK(out->replayed == "auth_failed");
    CHECK(out->forged_kick == "bad_message");
    CHECK(out->idle_closed == 8);

    const auto& failures = server->handshake_failures();
    CHECK(failures.at("version") == 1);
    CHECK(failures.at("bad_proof") == 2);
    CHECK(failures.at("unexpected") == 1);
    // The replay's nonce probe hung up without a word; the idle ones timed out.
    CHECK(failures.at("abandoned") == 1);
    CHECK(failures.at("timeout") == 8);
    // Refusals are logged with the peer's address.
    CHECK(logged(*logs, "127.0.0.1:"));
    CHECK(logged(*logs, "handshake refused (bad_proof)"));
    CHECK_FALSE(logged(*logs, "replaced by a newer connection"));
    CHECK_FALSE(logged(*logs, test_secret));
}

TEST_CASE("a room with the wrong secret is never linked", "[loopback][link][auth]")
{
    asio::io_context ioc;
    auto logs = std::make_shared<std::vector<std::string>>();
    auto server = link_server::create(ioc.get_executor(), fast_options("gateway", logs));
    server->listen(loopback(0));
    auto o = fast_options("room", logs);
    o.peer_role = "gateway";
    o.limits.secret = "a-different-secret-0123456789";
    auto room =
        link_client::create(ioc.get_executor(), o, loopback(server->local_endpoint().port()));
    bool connected = false;
    server->set_handlers({.on_connected = [&] { connected = true; },
                          .on_disconnected = {},
                          .on_event = {},
                          .on_request = {}});
    room->set_handlers({.on_connected = [&] { connected = true; },
                        .on_disconnected = {},
                        .on_event = {},
                        .on_request = {}});
    room->start();
    ioc.run_for(600ms);
    CHECK_FALSE(connected);
    CHECK(room->failed_attempts() >= 2);  // it keeps trying, with backoff
    CHECK(server->handshake_failures().count("bad_proof"));
    // The room, too, saw the gateway's proof fail (or was told so).
    CHECK((room->handshake_failures().count("bad_proof") ||
           room->handshake_failures().count("peer_error")));
    room->stop();
    server->stop();
    ioc.run_for(100ms);
}

TEST_CASE("a link without a secret cannot be created", "[unit][link][auth]")
{
    asio::io_context ioc;
    auto logs = std::make_shared<std::vector<std::string>>();
    auto o = fast_options("gateway", logs);
    o.limits.secret.clear();
    CHECK_THROWS_AS(link_server::create(ioc.get_executor(), o), std::invalid_argument);
    CHECK_THROWS_AS(link_client::create(ioc.get_executor(), o, loopback(1)), std::invalid_argument);
}

namespace {

struct eviction_seen {
    clock::time_point room_started;
    std::optional<clock::duration> linked_after;
    int idle_closed = 0;
};

asio::awaitable<void> fill_slots_then_connect(unsigned short port,
                                              std::shared_ptr<link_server> server,
                                              std::shared_ptr<link_client> room,
                                              std::shared_ptr<eviction_seen> out,
                                              std::shared_ptr<std::vector<tcp::socket>> idle)
{
    for (int i = 0; i < 8; ++i) idle->push_back(co_await connect_to(port));
    co_await sleep_for(50ms);  // every idle one is accepted and holds a slot
    out->room_started = clock::now();
    room->start();
    for (int i = 0; i < 40 && !out->linked_after; ++i) co_await sleep_for(25ms);
    room->stop();
    server->stop();
    for (auto& s : *idle) {
        error_code ignored;
        s.close(ignored);
    }
}

}  // namespace

TEST_CASE("idle handshakers holding every slot cannot lock the room out", "[loopback][link][auth]")
{
    asio::io_context ioc;
    auto logs = std::make_shared<std::vector<std::string>>();
    auto so = fast_options("gateway", logs);
    // Long enough that only eviction, not the deadline, can let the room in.
    so.limits.handshake_timeout = millis(5000);
    so.limits.heartbeat_timeout = millis(5000);
    auto server = link_server::create(ioc.get_executor(), so);
    server->listen(loopback(0));
    const auto port = server->local_endpoint().port();
    auto ro = fast_options("room", logs);
    ro.peer_role = "gateway";
    auto room = link_client::create(ioc.get_executor(), ro, loopback(port));
    auto out = std::make_shared<eviction_seen>();
    server->set_handlers({.on_connected =
                              [&] {
                                  if (!out->linked_after)
                                      out->linked_after = clock::now() - out->room_started;
                              },
                          .on_disconnected = {},
                          .on_event = {},
                          .on_request = {}});
    auto idle = std::make_shared<std::vector<tcp::socket>>();
    asio::co_spawn(ioc, fill_slots_then_connect(port, server, room, out, idle), rethrow);
    ioc.run_for(5s);
    REQUIRE(out->linked_after);
    CHECK(*out->linked_after < 500ms);
    CHECK(server->handshake_failures().at("evicted") == 1);
    CHECK(logged(*logs, "evicted: all 8 handshake slots were taken"));
}

TEST_CASE("eviction picks the oldest handshake of the busiest address", "[unit][link][auth]")
{
    const auto t0 = clock::now();
    auto at = [&](int ms) { return t0 + std::chrono::milliseconds(ms); };

    SECTION("one address: the oldest")
    {
        std::vector<pending_handshake> p{
            {"10.0.0.1", at(30)}, {"10.0.0.1", at(10)}, {"10.0.0.1", at(20)}};
        CHECK(choose_eviction(p) == 1);
    }
    SECTION("a flood from one address never evicts the room's older handshake")
    {
        std::vector<pending_handshake> p{{"10.0.0.7", at(0)},  // the room, oldest of all
                                         {"10.0.0.9", at(5)},
                                         {"10.0.0.9", at(6)},
                                         {"10.0.0.9", at(7)}};
        CHECK(choose_eviction(p) == 1);
    }
    SECTION("a tie between addresses: the oldest among them")
    {
        std::vector<pending_handshake> p{
            {"a", at(9)}, {"b", at(3)}, {"a", at(4)}, {"b", at(8)}, {"c", at(1)}};
        CHECK(choose_eviction(p) == 1);
    }
    SECTION("nothing pending is a caller's error")
    {
        CHECK_THROWS(choose_eviction({}));
    }
}
