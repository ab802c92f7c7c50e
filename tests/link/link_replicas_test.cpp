// A gateway's link server with several room replicas connected at once
// (keep_all_connections): none replaces another, each is greeted on its own,
// events reach all of them, requests fail over from one that does not
// answer to one that does, and on_disconnected waits for the last one.

#include "link_test_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>

using namespace ovs;
using namespace ovs::link;
using namespace ovs::link::test;
using namespace std::chrono_literals;

namespace {

struct room_replica {
    std::shared_ptr<link_client> client;
    std::vector<proto::event> events;
    std::vector<responder> unanswered;  // kept alive: never answered
    bool answers = true;
};

asio::awaitable<void> ask(std::shared_ptr<link_server> server,
                          std::shared_ptr<std::optional<proto::reply>> out,
                          millis timeout)
{
    proto::request req = proto::admission_check{0, "stream1", "tok", "publish", "RTMP", "10.0.0.1"};
    *out = co_await server->request_any(std::move(req), timeout);
}

}  // namespace

TEST_CASE("a server that keeps every room connection: greet each, events to all, failover",
          "[loopback][link]")
{
    asio::io_context ioc;
    auto server_logs = std::make_shared<std::vector<std::string>>();
    auto server = link_server::create(ioc.get_executor(), fast_options("gateway", server_logs));
    int greeted = 0;
    int disconnected = 0;
    server->keep_all_connections([&](std::shared_ptr<link_connection> conn) {
        ++greeted;
        // Only the new connection gets the greeting.
        server->send_event_to(conn, proto::media_status{true, "0.20", {}, false});
    });
    server->set_handlers({.on_connected = {},
                          .on_disconnected = [&](const std::string&) { ++disconnected; },
                          .on_event = {},
                          .on_request = {}});
    server->listen(loopback(0));
    const auto port = server->local_endpoint().port();

    std::vector<std::unique_ptr<room_replica>> rooms;
    auto client_logs = std::make_shared<std::vector<std::string>>();
    for (int i = 0; i < 3; ++i) {
        auto r = std::make_unique<room_replica>();
        auto o = fast_options("room", client_logs);
        o.peer_role = "gateway";
        r->client = link_client::create(ioc.get_executor(), o, loopback(port));
        auto* raw = r.get();
        r->client->set_handlers(
            {.on_connected = {},
             .on_disconnected = {},
             .on_event = [raw](proto::event e) { raw->events.push_back(std::move(e)); },
             .on_request =
                 [raw](proto::request, responder resp) {
                     if (raw->answers) {
                         resp.reply(proto::admission_result{true, "seat_holder"});
                     } else {
                         raw->unanswered.push_back(resp);
                     }
                 }});
        r->client->start();
        rooms.push_back(std::move(r));
    }
    const auto run_until = [&](const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (!done() && std::chrono::steady_clock::now() < deadline) ioc.run_one_for(10ms);
        return done();
    };
    REQUIRE(run_until([&] { return server->ready_count() == 3; }));
    CHECK(greeted == 3);
    REQUIRE(run_until([&] {
        for (auto& r : rooms) {
            if (r->events.size() != 1) return false;
        }
        return true;
    }));

    // One event, every replica.
    CHECK(server->send_event(
        proto::stream_up{proto::stream_info{"stream1", "RTMP", {}, {}, {}, {}}}));
    REQUIRE(run_until([&] {
        for (auto& r : rooms) {
            if (r->events.size() != 2) return false;
        }
        return true;
    }));

    // Two replicas that never answer: the request still gets the third's
    // answer within its budget.
    rooms[0]->answers = false;
    rooms[1]->answers = false;
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto out = std::make_shared<std::optional<proto::reply>>();
        asio::co_spawn(ioc, ask(server, out, 900ms), rethrow);
        const auto started = std::chrono::steady_clock::now();
        REQUIRE(run_until([&] { return out->has_value(); }));
        CHECK(std::chrono::steady_clock::now() - started < 1000ms);
        REQUIRE((*out)->error() == nullptr);
        CHECK(std::get<proto::admission_result>((*out)->body).allowed);
    }

    // on_disconnected only once the last one is gone.
    rooms[0]->client->stop();
    rooms[1]->client->stop();
    REQUIRE(run_until([&] { return server->ready_count() == 1; }));
    CHECK(disconnected == 0);
    CHECK(server->connected());
    rooms[2]->client->stop();
    REQUIRE(run_until([&] { return disconnected == 1; }));
    CHECK(server->ready_count() == 0);
    CHECK_FALSE(server->connected());
    server->stop();
    ioc.run_for(100ms);
}
