// End-to-end benchmarks over real processes (see scripts/bench_e2e.sh):
//
//   ovenspace-bench-e2e latency  [--publishes N] [--poll]  [--poll-ms MS]
//     publish-to-viewer latency: from the stand-in's control call that makes
//     OME send its opening webhook to the moment a viewer's page has the
//     seat live. --poll: open mode without webhooks, the seat turns live
//     when the gateway's poll sees the stream.
//
//   ovenspace-bench-e2e requests [--viewers N,...] [--seconds S] [--poll-ms MS]
//     OME REST requests per second (the stand-in's request log) with N
//     connected viewers, for each N given (0 first).
//
// Not a test: it prints figures and asserts nothing about them.

#include "browser.hpp"
#include "cluster.hpp"
#include "deadline.hpp"
#include "scenario.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <sstream>
#include <sys/resource.h>
#include <thread>

using namespace ovs::integration;

namespace {

struct options {
    std::string command;
    int publishes = 200;
    bool poll_only = false;
    unsigned poll_ms = 1000;
    std::vector<int> viewers{0, 1000, 10000};
    int seconds = 10;
};

double percentile(std::vector<double> v, double p)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto at = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(at, v.size() - 1)];
}

void raise_fd_limit()
{
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;  // the children (room service) inherit it
        ::setrlimit(RLIMIT_NOFILE, &lim);
    }
    ::getrlimit(RLIMIT_NOFILE, &lim);
    std::printf("open files limit: %llu\n", static_cast<unsigned long long>(lim.rlim_cur));
}

int run_latency(const options& o)
{
    cluster_options co;
    co.seats = 9;
    co.poll_ms = o.poll_ms;
    co.lease_ms = 60000;
    if (o.poll_only) {
        co.mode = "open";
        co.ome_webhooks = false;
    }
    cluster c(co);
    if (!c.media().standin_powers()) {
        std::puts("the latency benchmark drives the OME stand-in; unset OVENSPACE_TEST_OME_API");
        return 2;
    }
    browser_pool pool;
    browser holder(pool, c.room_port(), "main");
    browser viewer(pool, c.room_port(), "main");
    if (!holder.wait_open() || !viewer.wait_open()) {
        std::cerr << "browsers could not connect\n" << c.diagnostics();
        return 1;
    }
    std::vector<double> ms;
    int failures = 0;
    std::mt19937 rng{std::random_device{}()};
    std::uniform_int_distribution<int> phase(0, static_cast<int>(o.poll_ms));
    for (int i = 0; i < o.publishes; ++i) {
        const unsigned seat = static_cast<unsigned>(i) % co.seats;
        std::optional<claimed_seat> claim;
        std::string query;
        if (!o.poll_only) {
            claim = claim_seat(holder, seat);
            if (!claim) {
                ++failures;
                continue;
            }
            query = publish_query(*claim, ingest::rtmp);
        }
        if (o.poll_only) {
            // Each round starts right after the poll that saw the last stream
            // go; a random pause spreads publishes over the poll's phase.
            pool.run_for(std::chrono::milliseconds(phase(rng)));
        }
        publish_result published;
        const auto t0 = steady::now();
        // The control call blocks until OME's sequence is done; the viewer's
        // socket is served meanwhile by this thread.
        std::thread publisher(
            [&] { published = c.media().publish(ingest::rtmp, c.stream(seat), query); });
        const bool live = viewer.wait_seat_state(seat, "live", std::chrono::seconds(15));
        const auto t1 = steady::now();
        publisher.join();
        if (!live || !published.admitted) {
            ++failures;
        } else {
            ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        }
        if (published.admitted) c.media().unpublish(published);
        if (claim) holder.command(json{{"type", "release"}, {"seat", seat}});
        viewer.wait_seat_state(seat, "free", std::chrono::seconds(15));
    }
    std::printf(
        "publish-to-viewer latency (%s, poll %u ms): n=%zu failures=%d p50=%.1f ms p90=%.1f ms "
        "p99=%.1f ms max=%.1f ms\n",
        o.poll_only ? "polling only, open mode" : "webhooks",
        o.poll_ms,
        ms.size(),
        failures,
        percentile(ms, 50),
        percentile(ms, 90),
        percentile(ms, 99),
        percentile(ms, 100));
    return 0;
}

int run_requests(const options& o)
{
    raise_fd_limit();
    cluster_options co;
    co.poll_ms = o.poll_ms;
    cluster c(co);
    if (!c.media().standin_powers()) {
        std::puts("the request benchmark counts the stand-in's log; unset OVENSPACE_TEST_OME_API");
        return 2;
    }
    browser_pool pool;
    // One live seat, so the gateway has a stream to follow.
    browser holder(pool, c.room_port(), "main");
    if (!holder.wait_open()) return 1;
    auto claim = claim_seat(holder, 0);
    if (!claim) return 1;
    c.media().publish(ingest::rtmp, claim->stream, publish_query(*claim, ingest::rtmp));
    holder.wait_seat_state(0, "live", std::chrono::seconds(10));

    std::vector<std::unique_ptr<browser>> viewers;
    for (int target : o.viewers) {
        viewers.clear();
        pool.run_for(std::chrono::milliseconds(500));  // let the closes go out
        const auto connect_start = steady::now();
        // Batches, so handshakes finish within the room's handshake timeout;
        // source addresses spread over 127.0.0.x, 5000 per address.
        while (static_cast<int>(viewers.size()) < target) {
            const int batch = std::min(500, target - static_cast<int>(viewers.size()));
            const std::size_t first = viewers.size();
            for (int i = 0; i < batch; ++i) {
                const std::size_t n = viewers.size();
                const std::string source = "127.0.0." + std::to_string(1 + n / 5000);
                viewers.push_back(std::make_unique<browser>(pool, c.room_port(), "main", source));
            }
            pool.run_until(
                [&] {
                    for (std::size_t k = first; k < viewers.size(); ++k) {
                        if (!viewers[k]->has_snapshot() && !viewers[k]->closed()) return false;
                    }
                    return true;
                },
                std::chrono::seconds(30));
        }
        std::size_t open = 0;
        for (auto& v : viewers) open += v->open() ? 1 : 0;
        const double connect_s =
            std::chrono::duration<double>(steady::now() - connect_start).count();
        pool.run_for(std::chrono::milliseconds(1000));  // settle
        const auto before = c.media().api_request_count();
        const auto t0 = steady::now();
        pool.run_for(std::chrono::seconds(o.seconds));
        const auto after = c.media().api_request_count();
        const double secs = std::chrono::duration<double>(steady::now() - t0).count();
        std::printf(
            "viewers=%d connected=%zu (in %.1f s): OME API requests %zu in %.1f s = %.2f/s "
            "(poll interval %u ms)\n",
            target,
            open,
            connect_s,
            after - before,
            secs,
            static_cast<double>(after - before) / secs,
            o.poll_ms);
        std::fflush(stdout);
    }
    return 0;
}

std::vector<int> parse_list(const std::string& text)
{
    std::vector<int> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) out.push_back(std::stoi(item));
    return out;
}

}  // namespace

int main(int argc, char** argv)
{
    options o;
    if (argc < 2 ||
        (std::strcmp(argv[1], "latency") != 0 && std::strcmp(argv[1], "requests") != 0)) {
        std::fputs(
            "usage: ovenspace-bench-e2e latency [--publishes N] [--poll] [--poll-ms MS]\n"
            "       ovenspace-bench-e2e requests [--viewers 0,1000,10000] [--seconds S] "
            "[--poll-ms MS]\n",
            stderr);
        return 2;
    }
    o.command = argv[1];
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
            return argv[++i];
        };
        try {
            if (arg == "--publishes") {
                o.publishes = std::stoi(value());
            } else if (arg == "--poll") {
                o.poll_only = true;
            } else if (arg == "--poll-ms") {
                o.poll_ms = static_cast<unsigned>(std::stoi(value()));
            } else if (arg == "--viewers") {
                o.viewers = parse_list(value());
            } else if (arg == "--seconds") {
                o.seconds = std::stoi(value());
            } else {
                std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
                return 2;
            }
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s: %s\n", arg.c_str(), e.what());
            return 2;
        }
    }
    try {
        return o.command == "latency" ? run_latency(o) : run_requests(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "benchmark failed: %s\n", e.what());
        return 1;
    }
}
