// libs/redis client against a real redis-server on loopback: commands,
// pipelining, EVALSHA with NOSCRIPT, deadlines, AUTH/SELECT, limits, and
// riding out a restart of the server.

#include "support.hpp"

#include <ovs/redis/client.hpp>

#include <boost/asio/use_awaitable.hpp>

using namespace ovs;
using namespace ovs::redis;
using ovs::test::redis_server;
using ovs::test::run_until;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<client> started_client(asio::io_context& io, options o)
{
    auto c = client::create(io.get_executor(), std::move(o));
    c->start();
    REQUIRE(run_until(
        io, [&] { return c->is_up(); }, 5000ms));
    return c;
}

// Catch2's macros stay out of coroutines (g++ 12 miscompiles them there):
// the coroutines record what they got, the test case checks it.
struct exchange {
    error_code ec;
    std::vector<reply> replies;
};

asio::awaitable<void> run_requests(std::shared_ptr<client> c,
                                   std::vector<request> requests,
                                   std::vector<exchange>* out)
{
    for (auto& r : requests) {
        auto [ec, replies] = co_await c->async_exec(std::move(r), use_nothrow);
        out->push_back({ec, std::move(replies)});
    }
}

}  // namespace

TEST_CASE("client: commands, error replies and pipelines against a real redis-server",
          "[loopback][redis]")
{
    redis_server server;
    asio::io_context io;
    auto c = started_client(io, test::options_for(server));

    std::vector<request> requests;
    requests.emplace_back();
    requests.back()
        .push({"SET", "greeting", "hello"})
        .push({"GET", "greeting"})
        .push({"GET", "missing"});
    requests.push_back(request{"NOSUCHCOMMAND"});
    requests.push_back(request{"GET", "greeting"});
    // 1,000 commands in one request: one write, 1,000 replies in order.
    requests.emplace_back();
    for (int i = 0; i < 1000; ++i) requests.back().push({"INCR", "counter"});
    std::vector<exchange> got;
    test::run_coroutine(io, run_requests(c, std::move(requests), &got));

    REQUIRE(got.size() == 4);
    for (const auto& x : got) REQUIRE_FALSE(x.ec);
    REQUIRE(got[0].replies.size() == 3);
    CHECK(got[0].replies[0] == reply::make_status("OK"));
    CHECK(got[0].replies[1] == reply::make_string("hello"));
    CHECK(got[0].replies[2].is_nil());
    // A Redis error is a reply, and the connection stays usable after it.
    REQUIRE(got[1].replies.size() == 1);
    CHECK(got[1].replies[0].is_error_code("ERR"));
    CHECK(got[2].replies.at(0) == reply::make_string("hello"));
    REQUIRE(got[3].replies.size() == 1000);
    for (std::size_t i = 0; i < 1000; ++i) {
        REQUIRE(got[3].replies[i] == reply::make_integer(static_cast<std::int64_t>(i + 1)));
    }

    // 300 separate requests issued without waiting: they share the socket
    // (pipelined) and each gets its own reply, in the order they were sent.
    std::vector<std::int64_t> seen;
    for (int i = 0; i < 300; ++i) {
        c->async_exec(request{"INCR", "separate"}, [&](error_code ec, std::vector<reply> r) {
            seen.push_back(ec || r.empty() ? -1 : r[0].integer);
        });
    }
    REQUIRE(run_until(
        io, [&] { return seen.size() == 300; }, 5000ms));
    for (std::size_t i = 0; i < seen.size(); ++i)
        REQUIRE(seen[i] == static_cast<std::int64_t>(i + 1));
    CHECK(c->connects() == 1);
    c->stop();
}

namespace {

const script echo_script(
    "if ARGV[1] == 'fail' then return redis.error_reply('BAD_INPUT told to fail') end "
    "redis.call('SET', KEYS[1], ARGV[1]) return {KEYS[1], ARGV[1], redis.call('INCR', 'runs')}");

struct eval_result {
    error_code ec;
    reply r;
};

asio::awaitable<void> run_evals(std::shared_ptr<client> c,
                                std::vector<std::pair<std::string, std::string>> calls,
                                std::vector<eval_result>* out)
{
    for (auto& [key, arg] : calls) {
        // Named vectors: a braced list inside co_await trips g++ 12.
        std::vector<std::string> keys(1, key);
        std::vector<std::string> args(1, arg);
        auto [ec, r] =
            co_await c->async_eval(echo_script, std::move(keys), std::move(args), use_nothrow);
        out->push_back({ec, std::move(r)});
    }
}

}  // namespace

TEST_CASE("client: EVALSHA, and a script the server forgot is loaded and run once",
          "[loopback][redis]")
{
    redis_server server;
    asio::io_context io;
    auto c = started_client(io, test::options_for(server));
    std::vector<eval_result> got;
    test::run_coroutine(io, run_evals(c, {{"k1", "v1"}}, &got));
    REQUIRE(got.size() == 1);
    REQUIRE_FALSE(got[0].ec);
    CHECK(got[0].r ==
          reply::make_array(
              {reply::make_string("k1"), reply::make_string("v1"), reply::make_integer(1)}));
    // Redis computed the same digest: the script is now cached under our sha1.
    CHECK(server.raw_command({"SCRIPT", "EXISTS", echo_script.sha1()}) == "*1\r\n:1\r\n");

    // After SCRIPT FLUSH the server answers NOSCRIPT; the client loads the
    // script and runs it once (the counter proves it ran exactly once more).
    CHECK(server.raw_command({"SCRIPT", "FLUSH"}) == "+OK\r\n");
    test::run_coroutine(io, run_evals(c, {{"k2", "v2"}, {"k3", "fail"}}, &got));
    REQUIRE(got.size() == 3);
    REQUIRE_FALSE(got[1].ec);
    CHECK(got[1].r.items.at(2) == reply::make_integer(2));
    CHECK(server.raw_command({"GET", "k2"}) == "$2\r\nv2\r\n");
    // A script's own error is a reply.
    REQUIRE_FALSE(got[2].ec);
    CHECK(got[2].r.is_error_code("BAD_INPUT"));
    c->stop();
}

TEST_CASE("client: a server that stops answering fails the request at its deadline",
          "[loopback][redis]")
{
    redis_server server;
    asio::io_context io;
    auto c = started_client(io, test::options_for(server));
    server.pause();  // keeps its socket open, answers nothing

    std::optional<error_code> result;
    const auto sent = std::chrono::steady_clock::now();
    c->async_exec(request{"GET", "x"}, [&](error_code ec, std::vector<reply>) { result = ec; });
    REQUIRE(run_until(
        io, [&] { return result.has_value(); }, 3000ms));
    const auto waited = std::chrono::steady_clock::now() - sent;
    CHECK(*result == make_error_code(errc::timeout));
    CHECK(waited >= 450ms);  // request_timeout is 500 ms
    CHECK_FALSE(c->is_up());

    // Meanwhile new requests fail at once instead of queueing.
    std::optional<error_code> fast;
    c->async_exec(request{"GET", "x"}, [&](error_code ec, std::vector<reply>) { fast = ec; });
    REQUIRE(run_until(
        io, [&] { return fast.has_value(); }, 100ms));
    CHECK(*fast == make_error_code(errc::not_connected));

    server.resume();
    REQUIRE(run_until(
        io, [&] { return c->is_up(); }, 5000ms));
    CHECK(c->connects() == 2);
    c->stop();
}

TEST_CASE("client: an idle connection notices a frozen server by its keep-alive PING",
          "[loopback][redis]")
{
    redis_server server;
    asio::io_context io;
    int downs = 0;
    auto c = client::create(io.get_executor(), test::options_for(server));
    c->set_handlers({.on_up = {}, .on_down = [&](error_code) { ++downs; }});
    c->start();
    REQUIRE(run_until(
        io, [&] { return c->is_up(); }, 5000ms));
    server.pause();
    // ping_interval 200 ms + request_timeout 500 ms, with slack.
    REQUIRE(run_until(
        io, [&] { return downs == 1; }, 2000ms));
    CHECK_FALSE(c->is_up());
    server.resume();
    REQUIRE(run_until(
        io, [&] { return c->is_up(); }, 5000ms));
    c->stop();
}

TEST_CASE("client: a restarted Redis is reconnected without help, and requests fail fast meanwhile",
          "[loopback][redis]")
{
    redis_server server;
    asio::io_context io;
    int ups = 0;
    int downs = 0;
    auto c = client::create(io.get_executor(), test::options_for(server));
    c->set_handlers({.on_up = [&] { ++ups; }, .on_down = [&](error_code) { ++downs; }});
    c->start();
    REQUIRE(run_until(
        io, [&] { return ups == 1; }, 5000ms));

    server.stop();
    REQUIRE(run_until(
        io, [&] { return downs == 1; }, 2000ms));
    for (int i = 0; i < 3; ++i) {
        std::optional<error_code> result;
        c->async_exec(request{"PING"}, [&](error_code ec, std::vector<reply>) { result = ec; });
        REQUIRE(run_until(
            io, [&] { return result.has_value(); }, 100ms));
        CHECK(*result == make_error_code(errc::not_connected));
        io.run_for(100ms);  // reconnect attempts keep failing meanwhile
    }
    server.start();
    REQUIRE(run_until(
        io, [&] { return ups == 2; }, 5000ms));
    std::vector<reply> replies;
    c->async_exec(request{"PING"}, [&](error_code, std::vector<reply> r) { replies = r; });
    REQUIRE(run_until(
        io, [&] { return !replies.empty(); }, 1000ms));
    CHECK(replies[0] == reply::make_status("PONG"));
    CHECK(c->losses() == 1);
    c->stop();
}

TEST_CASE("client: AUTH and SELECT from the URL, a wrong password is refused without logging it",
          "[loopback][redis]")
{
    redis_server server({"--requirepass", "s3cret-pw"});
    asio::io_context io;

    auto o = test::options_for(server);
    o.server.password = "s3cret-pw";
    o.server.db = 2;
    auto in_db2 = started_client(io, o);
    o.server.db = 0;
    auto in_db0 = started_client(io, o);
    std::vector<reply> a, b;
    in_db2->async_exec(request{"SET", "where", "db2"},
                       [&](error_code, std::vector<reply> r) { a = r; });
    REQUIRE(run_until(
        io, [&] { return !a.empty(); }, 1000ms));
    in_db0->async_exec(request{"GET", "where"}, [&](error_code, std::vector<reply> r) { b = r; });
    REQUIRE(run_until(
        io, [&] { return !b.empty(); }, 1000ms));
    CHECK(b[0].is_nil());

    test::log_capture logs;
    auto wrong = test::options_for(server);
    wrong.server.password = "not-the-password";
    wrong.log = logs.logger();
    auto refused = client::create(io.get_executor(), wrong);
    refused->start();
    io.run_for(600ms);
    CHECK_FALSE(refused->is_up());
    CHECK(refused->connects() == 0);
    CHECK(logs.contains("WRONGPASS"));
    CHECK_FALSE(logs.contains("not-the-password"));
    refused->stop();
    in_db0->stop();
    in_db2->stop();
}

TEST_CASE("client: nobody listening means not up, and retries with backoff", "[loopback][redis]")
{
    asio::io_context io;
    redis::options o;
    o.server.host = "127.0.0.1";
    o.server.port = test::redis_server().port();  // a server that is gone again
    o.reconnect_min = 20ms;
    o.reconnect_max = 100ms;
    o.rng_seed = 1;
    test::log_capture logs;
    o.log = logs.logger();
    auto c = client::create(io.get_executor(), o);
    c->start();
    io.run_for(500ms);
    CHECK_FALSE(c->is_up());
    // Several attempts, each logged, spaced by the backoff (20..100 ms).
    CHECK(logs.lines.size() >= 4);
    CHECK(logs.lines.size() <= 30);
    CHECK(logs.contains("cannot connect"));
    c->stop();
}

TEST_CASE("client: a reply beyond max_reply_bytes closes the connection instead of growing",
          "[loopback][redis]")
{
    redis_server server;
    asio::io_context io;
    auto o = test::options_for(server);
    o.max_reply_bytes = 20000;  // more than one 16 KiB read, less than the value
    auto c = started_client(io, o);
    std::optional<error_code> set_ec, get_ec;
    c->async_exec(request{"SET", "big", std::string(100000, 'x')},
                  [&](error_code ec, std::vector<reply>) { set_ec = ec; });
    REQUIRE(run_until(
        io, [&] { return set_ec.has_value(); }, 1000ms));
    CHECK_FALSE(*set_ec);
    c->async_exec(request{"GET", "big"}, [&](error_code ec, std::vector<reply>) { get_ec = ec; });
    REQUIRE(run_until(
        io, [&] { return get_ec.has_value(); }, 1000ms));
    CHECK(*get_ec == make_error_code(errc::reply_too_large));
    c->stop();
}

TEST_CASE("client: stop() fails what is in flight and runs no handler afterwards",
          "[loopback][redis]")
{
    redis_server server;
    asio::io_context io;
    int downs = 0;
    auto c = client::create(io.get_executor(), test::options_for(server));
    c->set_handlers({.on_up = {}, .on_down = [&](error_code) { ++downs; }});
    c->start();
    REQUIRE(run_until(
        io, [&] { return c->is_up(); }, 5000ms));
    std::optional<error_code> result;
    c->async_exec(request{"BLPOP", "never", "5"},
                  [&](error_code ec, std::vector<reply>) { result = ec; });
    io.poll();
    c->stop();
    REQUIRE(run_until(
        io, [&] { return result.has_value(); }, 1000ms));
    CHECK(*result == make_error_code(errc::stopped));
    io.run_for(300ms);
    CHECK(downs == 0);
}
