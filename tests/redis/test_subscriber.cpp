// libs/redis subscriber against a real redis-server: messages in order,
// only from its channels, and a resubscribe after the server restarts.

#include "support.hpp"

#include <ovs/redis/subscriber.hpp>

using namespace ovs;
using namespace ovs::redis;
using ovs::test::redis_server;
using ovs::test::run_until;
using namespace std::chrono_literals;

namespace {

struct received {
    std::vector<std::pair<std::string, std::string>> messages;
    int subscribed = 0;
    int lost = 0;
};

std::shared_ptr<subscriber> make_subscriber(asio::io_context& io,
                                            const redis_server& server,
                                            received& into)
{
    auto sub = subscriber::create(io.get_executor(), test::options_for(server), {"ch:a", "ch:b"});
    sub->set_handlers({
        .on_message = [&into](
                          const std::string& ch,
                          const std::string& payload) { into.messages.emplace_back(ch, payload); },
        .on_subscribed = [&into] { ++into.subscribed; },
        .on_lost = [&into](error_code) { ++into.lost; },
    });
    sub->start();
    return sub;
}

void publish(asio::io_context& io, client& c, const std::string& ch, const std::string& payload)
{
    bool done = false;
    c.async_exec(request{"PUBLISH", ch, payload},
                 [&](error_code, std::vector<reply>) { done = true; });
    REQUIRE(run_until(
        io, [&] { return done; }, 1000ms));
}

}  // namespace

TEST_CASE("subscriber: every message of its channels, in order, and nothing else",
          "[loopback][redis]")
{
    redis_server server;
    asio::io_context io;
    received got;
    auto sub = make_subscriber(io, server, got);
    auto pub = client::create(io.get_executor(), test::options_for(server));
    pub->start();
    REQUIRE(run_until(
        io, [&] { return got.subscribed == 1 && pub->is_up(); }, 5000ms));

    for (int i = 0; i < 200; ++i) {
        pub->async_exec(request{"PUBLISH", i % 2 ? "ch:a" : "ch:b", std::to_string(i)},
                        [](error_code, std::vector<reply>) {});
    }
    publish(io, *pub, "ch:other", "not for us");
    const std::string binary("x\0\r\ny", 5);
    publish(io, *pub, "ch:a", binary);
    REQUIRE(run_until(
        io, [&] { return got.messages.size() == 201; }, 3000ms));
    for (int i = 0; i < 200; ++i) {
        const auto& [ch, payload] = got.messages[static_cast<std::size_t>(i)];
        REQUIRE(ch == (i % 2 ? "ch:a" : "ch:b"));
        REQUIRE(payload == std::to_string(i));
    }
    CHECK(got.messages.back().second == binary);
    io.run_for(100ms);
    CHECK(got.messages.size() == 201);
    CHECK(sub->messages() == 201);
    sub->stop();
    pub->stop();
}

TEST_CASE("subscriber: after a Redis restart it subscribes again and says so", "[loopback][redis]")
{
    redis_server server;
    asio::io_context io;
    received got;
    auto sub = make_subscriber(io, server, got);
    REQUIRE(run_until(
        io, [&] { return got.subscribed == 1; }, 5000ms));

    server.stop();
    REQUIRE(run_until(
        io, [&] { return got.lost == 1; }, 2000ms));
    CHECK_FALSE(sub->is_subscribed());
    server.start();
    REQUIRE(run_until(
        io, [&] { return got.subscribed == 2; }, 5000ms));

    auto pub = client::create(io.get_executor(), test::options_for(server));
    pub->start();
    REQUIRE(run_until(
        io, [&] { return pub->is_up(); }, 5000ms));
    publish(io, *pub, "ch:b", "after restart");
    REQUIRE(run_until(
        io, [&] { return got.messages.size() == 1; }, 2000ms));
    CHECK(got.messages[0] == std::pair<std::string, std::string>{"ch:b", "after restart"});
    sub->stop();
    pub->stop();
}

TEST_CASE("subscriber: a frozen server is noticed by the keep-alive PING", "[loopback][redis]")
{
    redis_server server;
    asio::io_context io;
    received got;
    auto sub = make_subscriber(io, server, got);
    REQUIRE(run_until(
        io, [&] { return got.subscribed == 1; }, 5000ms));
    server.pause();
    REQUIRE(run_until(
        io, [&] { return got.lost == 1; }, 2000ms));
    server.resume();
    REQUIRE(run_until(
        io, [&] { return got.subscribed == 2; }, 5000ms));
    sub->stop();
}
