// Normal operation over loopback: hello, requests both ways, events,
// timeouts, reconnects, replacement and clean shutdown.

#include "link_test_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>

using namespace ovs;
using namespace ovs::link;
using namespace ovs::link::test;
using namespace std::chrono_literals;

namespace {

struct world {
    asio::io_context ioc;
    std::shared_ptr<std::vector<std::string>> server_logs =
        std::make_shared<std::vector<std::string>>();
    std::shared_ptr<std::vector<std::string>> client_logs =
        std::make_shared<std::vector<std::string>>();
    std::shared_ptr<link_server> server =
        link_server::create(ioc.get_executor(), fast_options("gateway", server_logs));
    std::shared_ptr<link_client> client;

    unsigned short listen()
    {
        server->listen(loopback(0));
        return server->local_endpoint().port();
    }
    std::shared_ptr<link_client> make_client(unsigned short port)
    {
        auto o = fast_options("room", client_logs);
        o.peer_role = "gateway";
        return link_client::create(ioc.get_executor(), o, loopback(port));
    }
    void stop_all()
    {
        server->stop();
        if (client) client->stop();
    }
};

struct outcome {
    std::optional<proto::reply> admission;
    std::optional<proto::reply> kick;
    std::optional<proto::event> event;
    bool done() const { return admission && kick && event; }
};

asio::awaitable<void> ask_admission(std::shared_ptr<link_server> server,
                                    std::shared_ptr<outcome> out,
                                    std::function<void()> check)
{
    // Named, not a temporary, inside co_await (a g++ 12 bug; see link_peer.hpp).
    proto::request req =
        proto::admission_check{0, "stream3", "tok", "publish", "WebRTC", "127.0.0.1"};
    out->admission = co_await server->request(std::move(req));
    check();
}

asio::awaitable<void> ask_kick(std::shared_ptr<link_client> client,
                               std::shared_ptr<outcome> out,
                               std::function<void()> check)
{
    proto::request req = proto::kick{0, "stream3", "released"};
    out->kick = co_await client->request(std::move(req));
    check();
}

}  // namespace

TEST_CASE("hello, then requests and events in both directions", "[loopback][link]")
{
    world w;
    auto port = w.listen();
    w.client = w.make_client(port);
    auto out = std::make_shared<outcome>();
    auto check = [&] {
        if (out->done()) w.stop_all();
    };

    w.server->set_handlers(
        {.on_connected =
             [&] {
                 w.server->send_event(
                     proto::stream_up{proto::stream_info{"stream3", "RTMP", {}, {}, {}, {}}});
                 asio::co_spawn(w.ioc, ask_admission(w.server, out, check), rethrow);
             },
         .on_disconnected = {},
         .on_event = {},
         .on_request =
             [](proto::request req, responder r) {
                 REQUIRE(std::holds_alternative<proto::kick>(req));
                 CHECK(std::get<proto::kick>(req).stream == "stream3");
                 r.reply(proto::empty_result{});
             }});
    w.client->set_handlers(
        {.on_connected = [&] { asio::co_spawn(w.ioc, ask_kick(w.client, out, check), rethrow); },
         .on_disconnected = {},
         .on_event =
             [&](proto::event e) {
                 out->event = std::move(e);
                 check();
             },
         .on_request =
             [&](proto::request req, responder r) {
                 auto* a = std::get_if<proto::admission_check>(&req);
                 REQUIRE(a != nullptr);
                 // Answer later, from another handler: replies may be asynchronous.
                 bool allowed = a->token == "tok";
                 asio::post(w.ioc, [r, allowed] {
                     r.reply(proto::admission_result{allowed, "checked"});
                 });
             }});
    w.client->start();
    w.ioc.run_for(5s);

    REQUIRE(w.ioc.stopped());  // everything wound down: no leaked operation
    REQUIRE(out->admission);
    REQUIRE(out->admission->ok());
    CHECK(std::get<proto::admission_result>(out->admission->body) ==
          proto::admission_result{true, "checked"});
    REQUIRE(out->kick);
    CHECK(out->kick->ok());
    REQUIRE(out->event);
    CHECK(std::get<proto::stream_up>(*out->event).stream.name == "stream3");
}

namespace {

asio::awaitable<void> timeout_scenario(std::shared_ptr<link_server> server,
                                       std::shared_ptr<std::vector<responder>> parked,
                                       std::shared_ptr<std::vector<proto::reply>> replies,
                                       std::function<void()> finish)
{
    // 1: the peer parks the request and never answers in time.
    proto::request first = proto::admission_check{0, "s", "t", "publish", "RTMP", "1.2.3.4"};
    replies->push_back(co_await server->request(std::move(first), millis(100)));
    // A late answer is ignored by the server, and the link stays up.
    for (auto& r : *parked) r.reply(proto::admission_result{true, "late"});
    parked->clear();
    // 2: a request the peer answers at once.
    proto::request second = proto::admission_check{0, "s", "t", "play", "LLHLS", "1.2.3.4"};
    replies->push_back(co_await server->request(std::move(second)));
    finish();
}

}  // namespace

TEST_CASE("a request the peer never answers times out", "[loopback][link]")
{
    world w;
    auto port = w.listen();
    w.client = w.make_client(port);
    auto parked = std::make_shared<std::vector<responder>>();
    auto replies = std::make_shared<std::vector<proto::reply>>();
    std::function<void()> finish = [&] { w.stop_all(); };

    w.server->set_handlers(
        {.on_connected =
             [&] {
                 asio::co_spawn(
                     w.ioc, timeout_scenario(w.server, parked, replies, finish), rethrow);
             },
         .on_disconnected = {},
         .on_event = {},
         .on_request = {}});
    w.client->set_handlers({.on_connected = {},
                            .on_disconnected = {},
                            .on_event = {},
                            .on_request = [parked](proto::request req, responder r) {
                                if (std::get<proto::admission_check>(req).direction == "publish")
                                    parked->push_back(std::move(r));  // no answer for now
                                else
                                    r.reply(proto::admission_result{false, "no token"});
                            }});
    w.client->start();
    w.ioc.run_for(5s);

    REQUIRE(w.ioc.stopped());
    REQUIRE(replies->size() == 2);
    REQUIRE_FALSE((*replies)[0].ok());
    CHECK((*replies)[0].error()->code == "timeout");
    REQUIRE((*replies)[1].ok());
    CHECK_FALSE(std::get<proto::admission_result>((*replies)[1].body).allowed);
    CHECK(logged(*w.server_logs, "unknown request"));
}

TEST_CASE("requests without a connection fail closed at once", "[loopback][link]")
{
    world w;
    w.listen();
    std::optional<proto::reply> rep;
    w.server->request(proto::kick{0, "s", "r"}, [&](proto::reply r) {
        rep = std::move(r);
        w.stop_all();
    });
    w.ioc.run_for(5s);
    REQUIRE(w.ioc.stopped());
    REQUIRE(rep);
    REQUIRE_FALSE(rep->ok());
    CHECK(rep->error()->code == "not_connected");
    CHECK_FALSE(w.server->send_event(proto::media_status{}));
}

TEST_CASE("the client reconnects after the server drops it", "[loopback][link]")
{
    world w;
    auto port = w.listen();
    w.client = w.make_client(port);
    int server_connects = 0;
    int client_connects = 0;
    int client_disconnects = 0;
    // Both ends see each hello at their own pace: finish once both saw two.
    auto maybe_done = [&] {
        if (server_connects == 2 && client_connects == 2) w.stop_all();
    };
    w.server->set_handlers({.on_connected =
                                [&] {
                                    if (++server_connects == 1)
                                        w.server->disconnect("test drops the room");
                                    maybe_done();
                                },
                            .on_disconnected = {},
                            .on_event = {},
                            .on_request = {}});
    w.client->set_handlers({.on_connected =
                                [&] {
                                    ++client_connects;
                                    maybe_done();
                                },
                            .on_disconnected = [&](const std::string&) { ++client_disconnects; },
                            .on_event = {},
                            .on_request = {}});
    w.client->start();
    w.ioc.run_for(5s);
    REQUIRE(w.ioc.stopped());
    CHECK(server_connects == 2);
    CHECK(client_connects == 2);
    CHECK(client_disconnects == 1);
}

TEST_CASE("the client reconnects after the server restarts", "[loopback][link]")
{
    world w;
    auto port = w.listen();
    w.client = w.make_client(port);
    std::shared_ptr<link_server> second;
    int client_connects = 0;
    std::string lost_reason;
    w.server->set_handlers({.on_connected = [&] { w.server->stop(); },
                            .on_disconnected = {},
                            .on_event = {},
                            .on_request = {}});
    w.client->set_handlers({.on_connected =
                                [&] {
                                    if (++client_connects == 2) {
                                        second->stop();
                                        w.client->stop();
                                    }
                                },
                            .on_disconnected =
                                [&](const std::string& reason) {
                                    lost_reason = reason;
                                    // The gateway comes back on the same port.
                                    second =
                                        link_server::create(w.ioc.get_executor(),
                                                            fast_options("gateway", w.server_logs));
                                    second->listen(loopback(port));
                                },
                            .on_event = {},
                            .on_request = {}});
    w.client->start();
    w.ioc.run_for(5s);
    REQUIRE(w.ioc.stopped());
    CHECK(client_connects == 2);
    CHECK_FALSE(lost_reason.empty());
}

TEST_CASE("a newer room connection replaces the older one", "[loopback][link]")
{
    world w;
    auto port = w.listen();
    auto first = w.make_client(port);
    auto newer = w.make_client(port);
    int server_connects = 0;
    int server_disconnects = 0;
    bool first_lost = false;
    std::optional<proto::event> first_event;
    std::optional<proto::event> newer_event;

    w.server->set_handlers(
        {.on_connected =
             [&] {
                 if (++server_connects == 1) {
                     newer->start();
                 } else {
                     w.server->send_event(proto::media_status{true, "0.20.0", {}, false});
                 }
             },
         .on_disconnected = [&](const std::string&) { ++server_disconnects; },
         .on_event = {},
         .on_request = {}});
    first->set_handlers({.on_connected = {},
                         .on_disconnected =
                             [&](const std::string&) {
                                 first_lost = true;
                                 first->stop();  // one room service is enough
                             },
                         .on_event = [&](proto::event e) { first_event = std::move(e); },
                         .on_request = {}});
    newer->set_handlers({.on_connected = {},
                         .on_disconnected = {},
                         .on_event =
                             [&](proto::event e) {
                                 newer_event = std::move(e);
                                 newer->stop();
                                 w.server->stop();
                             },
                         .on_request = {}});
    first->start();
    w.ioc.run_for(5s);
    REQUIRE(w.ioc.stopped());
    CHECK(server_connects == 2);
    CHECK(server_disconnects == 0);  // replaced, never without a room
    CHECK(first_lost);
    CHECK_FALSE(first_event);
    REQUIRE(newer_event);
    CHECK(std::get<proto::media_status>(*newer_event).reachable);
    CHECK(logged(*w.server_logs, "replaced by a newer connection"));
}

TEST_CASE("stopping both ends lets the io_context run out of work", "[loopback][link]")
{
    world w;
    auto port = w.listen();
    w.client = w.make_client(port);
    bool connected = false;
    w.client->set_handlers({.on_connected =
                                [&] {
                                    connected = true;
                                    w.stop_all();
                                },
                            .on_disconnected = {},
                            .on_event = {},
                            .on_request = {}});
    w.client->start();
    w.ioc.run_for(5s);
    CHECK(connected);
    REQUIRE(w.ioc.stopped());
    CHECK_FALSE(w.client->connected());
    CHECK_FALSE(w.server->connected());
}
