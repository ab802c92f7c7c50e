// Claim throughput and latency at the room store interface (a tool, not a
// test; see scripts/bench_store.sh): K connections, each in a closed loop of
// claim then release on a seat of its own, against the in-memory store or
// the Redis store (one replica, pipelining over one connection). Prints
// claims/s and the latency of claims (p50, p99, max).
//
//   ovenspace-bench-store --store redis --redis-port 6379 --conns 64 --seconds 5

#include <ovs/room/memory_store.hpp>
#include <ovs/room/redis_store.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace ovs;
using namespace ovs::room;
using steady = std::chrono::steady_clock;

namespace {

struct args {
    std::string store = "memory";
    std::uint16_t redis_port = 6379;
    unsigned conns = 64;
    double seconds = 5;
};

args parse(int argc, char** argv)
{
    args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const std::string v = argv[i + 1];
        if (k == "--store")
            a.store = v;
        else if (k == "--redis-port")
            a.redis_port = static_cast<std::uint16_t>(std::stoi(v));
        else if (k == "--conns")
            a.conns = static_cast<unsigned>(std::stoul(v));
        else if (k == "--seconds")
            a.seconds = std::stod(v);
        else
            throw std::invalid_argument("unknown option " + k);
    }
    return a;
}

struct bench {
    asio::io_context& io;
    room_store& store;
    steady::time_point end;
    std::vector<double> claim_us;
    std::uint64_t claims = 0;
    std::uint64_t failures = 0;
    unsigned running = 0;

    void claim(conn_id c, unsigned seat)
    {
        if (steady::now() >= end) {
            --running;
            return;
        }
        const auto t = steady::now();
        store.claim(c, seat, clock::now(), [this, c, seat, t](result<claim_granted> r) {
            claim_us.push_back(
                std::chrono::duration<double, std::micro>(steady::now() - t).count());
            if (!std::holds_alternative<claim_granted>(r)) ++failures;
            ++claims;
            // Next step from the io_context, never inline (the memory store
            // answers inline; recursing would grow the stack).
            asio::post(io, [this, c, seat] {
                store.release(c, seat, clock::now(), [this, c, seat](std::optional<refusal>) {
                    asio::post(io, [this, c, seat] { claim(c, seat); });
                });
            });
        });
    }
};

double percentile(std::vector<double>& v, double p)
{
    if (v.empty()) return 0;
    const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return v[k];
}

}  // namespace

int main(int argc, char** argv)
{
    const auto a = parse(argc, argv);
    const unsigned seats_per_room = 9;
    std::vector<config::room_def> rooms;
    for (unsigned r = 0; r * seats_per_room < a.conns; ++r) {
        rooms.push_back(
            {"r" + std::to_string(r), "R", seats_per_room, "r" + std::to_string(r) + "s"});
    }
    settings s;
    s.max_viewers_per_room = 100000;
    asio::io_context io;
    std::shared_ptr<room_store> store;
    if (a.store == "memory") {
        store = std::make_shared<memory_store>(rooms, s, random_tokens());
    } else {
        redis_store_options o;
        o.redis.server.host = "127.0.0.1";
        o.redis.server.port = a.redis_port;
        o.key_prefix = "bench" + std::to_string(::getpid());
        auto rs = redis_store::create(io.get_executor(), rooms, s, random_tokens(), o);
        rs->start();
        const auto deadline = steady::now() + std::chrono::seconds(10);
        while (!rs->available() && steady::now() < deadline)
            io.run_one_for(std::chrono::milliseconds(10));
        if (!rs->available()) {
            std::fprintf(stderr, "redis store not available on port %u\n", a.redis_port);
            return 1;
        }
        store = rs;
    }
    for (conn_id c = 1; c <= a.conns; ++c) {
        store->join(c, rooms[(c - 1) / seats_per_room].id, clock::now(), [](auto) {});
    }
    io.restart();
    io.run_for(std::chrono::milliseconds(100));
    store->drain();

    bench b{io,
            *store,
            steady::now() + std::chrono::duration_cast<steady::duration>(
                                std::chrono::duration<double>(a.seconds)),
            {},
            0,
            0,
            0};
    b.claim_us.reserve(1 << 20);
    const auto start = steady::now();
    for (conn_id c = 1; c <= a.conns; ++c) {
        ++b.running;
        asio::post(io, [&b, c] { b.claim(c, static_cast<unsigned>((c - 1) % seats_per_room)); });
    }
    io.restart();
    while (b.running > 0) {
        io.run_one_for(std::chrono::milliseconds(100));
        store->drain();  // the shell would fan these out
    }
    const double took = std::chrono::duration<double>(steady::now() - start).count();
    std::printf(
        "store=%s conns=%u claims=%llu failed=%llu seconds=%.2f claims/s=%.0f "
        "claim latency us p50=%.0f p99=%.0f max=%.0f\n",
        a.store.c_str(),
        a.conns,
        static_cast<unsigned long long>(b.claims),
        static_cast<unsigned long long>(b.failures),
        took,
        static_cast<double>(b.claims) / took,
        percentile(b.claim_us, 0.5),
        percentile(b.claim_us, 0.99),
        percentile(b.claim_us, 1.0));
    if (auto rs = std::dynamic_pointer_cast<redis_store>(store)) {
        rs->stop();
        io.restart();
        io.run_for(std::chrono::milliseconds(100));
    }
    return b.failures == 0 ? 0 : 1;
}
