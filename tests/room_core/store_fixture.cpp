#include "store_fixture.hpp"

#include "redis_server.hpp"

#include <ovs/room/memory_store.hpp>
#include <ovs/room/redis_store.hpp>

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <unistd.h>

namespace ovs::room::test {
namespace {

ovs::test::redis_server& shared_redis()
{
    static ovs::test::redis_server server;
    return server;
}

std::string fresh_prefix()
{
    static std::atomic<unsigned> n{0};
    return "t" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

}  // namespace

const char* to_string(store_kind k)
{
    return k == store_kind::memory ? "memory" : "redis";
}

struct test_space::redis_parts {
    asio::io_context io;
    std::shared_ptr<redis_store> store;
};

test_space::test_space(store_kind kind,
                       const std::vector<config::room_def>& rooms,
                       settings s,
                       token_source tokens)
    : kind_(kind)
{
    if (kind == store_kind::memory) {
        memory_ = std::make_unique<memory_store>(rooms, s, std::move(tokens));
        store_ = memory_.get();
        return;
    }
    auto& server = shared_redis();
    redis_ = std::make_unique<redis_parts>();
    redis_store_options o;
    o.redis.server.host = "127.0.0.1";
    o.redis.server.port = server.port();
    o.redis.request_timeout = std::chrono::milliseconds(2000);
    o.redis.reconnect_min = std::chrono::milliseconds(20);
    o.redis.reconnect_max = std::chrono::milliseconds(200);
    o.key_prefix = fresh_prefix();
    o.replica_id = "replica-a";
    o.maintain_interval = std::chrono::milliseconds(0);
    o.clock_offset = std::chrono::nanoseconds(0);
    redis_->store = redis_store::create(redis_->io.get_executor(), rooms, s, std::move(tokens), o);
    redis_->store->start();
    store_ = redis_->store.get();
    REQUIRE(run_until([&] { return store_->available(); }));
}

test_space::~test_space()
{
    if (redis_ && redis_->store) {
        redis_->store->stop();
        redis_->io.run_for(std::chrono::milliseconds(50));
    }
}

test_space::test_space(test_space&&) noexcept = default;
test_space& test_space::operator=(test_space&&) noexcept = default;

bool test_space::run_until(const std::function<bool()>& done) const
{
    if (!redis_) return done();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        redis_->io.restart();
        redis_->io.run_one_for(std::chrono::milliseconds(10));
    }
    return true;
}

namespace {

// Starts an operation and waits (bounded) for its answer.
template <class T, class Start>
T await(const test_space& sp, Start&& start)
{
    std::optional<T> answer;
    start([&answer](T v) { answer = std::move(v); });
    REQUIRE(sp.run_until([&] { return answer.has_value(); }));
    return std::move(*answer);
}

template <class Start>
void await_void(const test_space& sp, Start&& start)
{
    bool done = false;
    start([&done] { done = true; });
    REQUIRE(sp.run_until([&] { return done; }));
}

}  // namespace

std::optional<refusal> test_space::join(conn_id c, const std::string& room, time_point now)
{
    return await<std::optional<refusal>>(*this, [&](auto d) { store_->join(c, room, now, d); });
}

void test_space::leave(conn_id c, time_point now)
{
    await_void(*this, [&](auto d) { store_->leave(c, now, d); });
}

result<claim_granted> test_space::claim(conn_id c, unsigned seat, time_point now)
{
    return await<result<claim_granted>>(*this, [&](auto d) { store_->claim(c, seat, now, d); });
}

std::optional<refusal> test_space::release(conn_id c, unsigned seat, time_point now)
{
    return await<std::optional<refusal>>(*this, [&](auto d) { store_->release(c, seat, now, d); });
}

result<claim_granted> test_space::resume(conn_id c,
                                         unsigned seat,
                                         const std::string& token,
                                         time_point now)
{
    return await<result<claim_granted>>(*this,
                                        [&](auto d) { store_->resume(c, seat, token, now, d); });
}

void test_space::stream_up(const std::string& stream, const stream_info& info, time_point now)
{
    await_void(*this, [&](auto d) { store_->stream_up(stream, info, now, d); });
}

void test_space::stream_down(const std::string& stream, time_point now)
{
    await_void(*this, [&](auto d) { store_->stream_down(stream, now, d); });
}

void test_space::streams_snapshot(const std::map<std::string, stream_info>& streams, time_point now)
{
    await_void(*this, [&](auto d) { store_->streams_snapshot(streams, now, d); });
}

admission test_space::check_admission(const std::string& stream,
                                      const std::string& token,
                                      time_point now) const
{
    return await<admission>(*this, [&](auto d) { store_->check_admission(stream, token, now, d); });
}

std::optional<refusal> test_space::moderator_end(const std::string& room,
                                                 unsigned seat,
                                                 time_point now)
{
    return await<std::optional<refusal>>(
        *this, [&](auto d) { store_->moderator_end(room, seat, now, d); });
}

std::optional<refusal> test_space::set_locked(const std::string& room,
                                              std::optional<unsigned> seat,
                                              bool locked,
                                              time_point now)
{
    return await<std::optional<refusal>>(
        *this, [&](auto d) { store_->set_locked(room, seat, locked, now, d); });
}

void test_space::stream_viewers(const std::map<std::string, std::size_t>& counts, time_point now)
{
    await_void(*this, [&](auto d) { store_->stream_viewers(counts, now, d); });
}

void test_space::tick(time_point now)
{
    await_void(*this, [&](auto d) { store_->tick(now, d); });
}

}  // namespace ovs::room::test
