// ovenspace-bench-room: connects N WebSocket viewers to one room of a running
// room service, then has one client claim and release a seat repeatedly and
// measures how long each change takes to reach every viewer. Also reports
// the server's RSS growth per viewer (from /proc/<pid>/status).
//
// Usage: ovenspace-bench-room --port P --viewers N [--rounds R] [--room ID]
//          [--sources 127.0.0.1,127.0.0.2,...] [--pid SERVER_PID]
//          [--concurrency C] [--ports P1,P2,...]
// --ports spreads the viewers over several room service replicas (viewer i
// on the (i mod k)-th port); the seat changes are made on the first one.
// One thread; frames are not parsed as JSON (a substring check is enough to
// spot a seat event), so the generator stays light.

#include <ovs/net/net.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using namespace ovs;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

struct options {
    std::uint16_t port = 0;
    std::vector<std::uint16_t> ports;  // replicas: viewers spread over them (first: port)
    std::size_t viewers = 1000;
    std::size_t rounds = 200;
    std::string room = "main";
    std::vector<std::string> sources{"127.0.0.1"};
    long pid = 0;
    std::size_t concurrency = 256;
};

struct state {
    options opt;
    std::size_t connected = 0;
    std::size_t failed = 0;
    std::size_t dropped = 0;
    bool measuring = false;
    steady::time_point t0;
    std::size_t received = 0;
    std::vector<double> delivery_ms;  // one per viewer per event
    asio::steady_timer* wake = nullptr;
};

long rss_kib(long pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

// User and system CPU time of a process, in ms (from /proc/<pid>/stat).
struct cpu_times {
    double user = 0;
    double sys = 0;
};
cpu_times cpu_split(long pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = text.rfind(')');
    if (close == std::string::npos) return {};
    std::istringstream fields(text.substr(close + 2));
    std::string skip;
    for (int i = 3; i < 14; ++i) fields >> skip;  // state .. cmajflt
    double utime = 0, stime = 0;
    fields >> utime >> stime;
    auto tick = 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
    return {utime * tick, stime * tick};
}

double cpu_ms(long pid)
{
    auto t = cpu_split(pid);
    return t.user + t.sys;
}

double ms_since(steady::time_point t0)
{
    return std::chrono::duration<double, std::milli>(steady::now() - t0).count();
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    auto idx = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    return v[idx];
}

asio::awaitable<void> viewer(state* st, std::size_t index)
{
    auto ex = co_await asio::this_coro::executor;
    websocket::stream<beast::tcp_stream> ws(ex);
    auto& sock = beast::get_lowest_layer(ws).socket();
    const auto& source = st->opt.sources[index % st->opt.sources.size()];
    const auto port =
        st->opt.ports.empty() ? st->opt.port : st->opt.ports[index % st->opt.ports.size()];
    error_code ec;
    sock.open(tcp::v4(), ec);
    if (!ec) sock.bind(tcp::endpoint(asio::ip::make_address(source), 0), ec);
    if (!ec) {
        std::tie(ec) = co_await sock.async_connect(
            tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), use_nothrow);
    }
    if (!ec) {
        std::tie(ec) = co_await ws.async_handshake(
            "127.0.0.1:" + std::to_string(port), "/ws?room=" + st->opt.room, use_nothrow);
    }
    beast::flat_buffer buffer;
    if (!ec) std::tie(ec, std::ignore) = co_await ws.async_read(buffer, use_nothrow);
    if (ec) {
        ++st->failed;
        if (st->failed <= 3) std::fprintf(stderr, "viewer %zu: %s\n", index, ec.message().c_str());
        st->wake->cancel();
        co_return;
    }
    ++st->connected;
    st->wake->cancel();
    for (;;) {
        buffer.consume(buffer.size());
        auto [rec, n] = co_await ws.async_read(buffer, use_nothrow);
        if (rec) {
            ++st->dropped;
            st->wake->cancel();
            co_return;
        }
        if (!st->measuring) continue;
        std::string_view text(static_cast<const char*>(buffer.cdata().data()), n);
        if (text.find("\"type\":\"seat\"") == std::string_view::npos) continue;
        st->delivery_ms.push_back(ms_since(st->t0));
        if (++st->received == st->opt.viewers) st->wake->cancel();
    }
}

asio::awaitable<void> drain(std::shared_ptr<websocket::stream<beast::tcp_stream>> ws)
{
    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, n] = co_await ws->async_read(buffer, use_nothrow);
        if (ec) co_return;
        buffer.consume(n);
    }
}

asio::awaitable<void> wait_on(asio::steady_timer& t, std::chrono::milliseconds limit)
{
    t.expires_after(limit);
    co_await t.async_wait(use_nothrow);
}

asio::awaitable<void> run(state* st)
{
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer wake(ex);
    st->wake = &wake;
    const auto n = st->opt.viewers;
    long rss_before = st->opt.pid ? rss_kib(st->opt.pid) : -1;

    auto start = steady::now();
    const auto connect_cpu0 = st->opt.pid ? cpu_split(st->opt.pid) : cpu_times{};
    std::size_t launched = 0;
    while (st->connected + st->failed < n) {
        while (launched < n && launched - st->connected - st->failed < st->opt.concurrency) {
            asio::co_spawn(ex, viewer(st, launched++), asio::detached);
        }
        co_await wait_on(wake, std::chrono::milliseconds(1000));
    }
    double connect_ms = ms_since(start);
    std::printf("viewers connected: %zu of %zu in %.0f ms (%zu failed)\n",
                st->connected,
                n,
                connect_ms,
                st->failed);
    if (st->opt.pid) {
        // What the arrivals cost the server, whatever else shares the cores.
        const auto c = cpu_split(st->opt.pid);
        std::printf("room service CPU to connect all: user %.0f ms, system %.0f ms\n",
                    c.user - connect_cpu0.user,
                    c.sys - connect_cpu0.sys);
    }
    if (st->connected != n) co_return;

    // Let the server settle (presence flushes) before reading its memory.
    asio::steady_timer pause(ex);
    pause.expires_after(std::chrono::seconds(1));
    co_await pause.async_wait(use_nothrow);
    long rss_after = st->opt.pid ? rss_kib(st->opt.pid) : -1;

    auto actor = std::make_shared<websocket::stream<beast::tcp_stream>>(ex);
    co_await beast::get_lowest_layer(*actor).async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), st->opt.port), asio::use_awaitable);
    co_await actor->async_handshake("127.0.0.1:" + std::to_string(st->opt.port),
                                    "/ws?room=" + st->opt.room,
                                    asio::use_awaitable);
    asio::co_spawn(ex, drain(actor), asio::detached);

    std::vector<double> all_ms;
    std::size_t incomplete = 0;
    double server_cpu0 = st->opt.pid ? cpu_ms(st->opt.pid) : 0;
    auto server_split0 = st->opt.pid ? cpu_split(st->opt.pid) : cpu_times{};
    double own_cpu0 = cpu_ms(getpid());
    for (std::size_t r = 0; r < st->opt.rounds; ++r) {
        std::string cmd = std::string("{\"type\":\"") + (r % 2 == 0 ? "claim" : "release") +
                          "\",\"id\":" + std::to_string(r) + ",\"seat\":0}";
        st->received = 0;
        st->measuring = true;
        st->t0 = steady::now();
        co_await actor->async_write(asio::buffer(cmd), asio::use_awaitable);
        while (st->received < st->connected - st->dropped) {
            if (ms_since(st->t0) > 10000) break;
            co_await wait_on(wake, std::chrono::milliseconds(1000));
        }
        if (st->received < n) ++incomplete;
        all_ms.push_back(ms_since(st->t0));
        st->measuring = false;
    }

    std::printf("fan-out to all %zu viewers, %zu events: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
                n,
                all_ms.size(),
                percentile(all_ms, 0.5),
                percentile(all_ms, 0.99),
                percentile(all_ms, 1.0));
    std::printf("per-viewer delivery (%zu deliveries): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
                st->delivery_ms.size(),
                percentile(st->delivery_ms, 0.5),
                percentile(st->delivery_ms, 0.99),
                percentile(st->delivery_ms, 1.0));
    if (st->opt.pid) {
        std::printf("CPU per event: room service %.2f ms, load generator %.2f ms\n",
                    (cpu_ms(st->opt.pid) - server_cpu0) / static_cast<double>(all_ms.size()),
                    (cpu_ms(getpid()) - own_cpu0) / static_cast<double>(all_ms.size()));
        auto split = cpu_split(st->opt.pid);
        std::printf("room service CPU per event: user %.2f ms, system %.2f ms\n",
                    (split.user - server_split0.user) / static_cast<double>(all_ms.size()),
                    (split.sys - server_split0.sys) / static_cast<double>(all_ms.size()));
    }
    std::printf(
        "events not seen by every viewer: %zu; viewers dropped: %zu\n", incomplete, st->dropped);
    if (st->opt.pid) {
        std::printf("server RSS: %ld KiB before, %ld KiB with %zu viewers: %.1f KiB per viewer\n",
                    rss_before,
                    rss_after,
                    n,
                    static_cast<double>(rss_after - rss_before) / static_cast<double>(n));
    }
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv)
{
    state st;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string key = argv[i];
        std::string value = argv[i + 1];
        if (key == "--port") {
            st.opt.port = static_cast<std::uint16_t>(std::stoi(value));
        } else if (key == "--viewers") {
            st.opt.viewers = std::stoul(value);
        } else if (key == "--rounds") {
            st.opt.rounds = std::stoul(value);
        } else if (key == "--room") {
            st.opt.room = value;
        } else if (key == "--pid") {
            st.opt.pid = std::stol(value);
        } else if (key == "--concurrency") {
            st.opt.concurrency = std::stoul(value);
        } else if (key == "--ports") {
            std::stringstream in(value);
            std::string part;
            while (std::getline(in, part, ',')) {
                st.opt.ports.push_back(static_cast<std::uint16_t>(std::stoi(part)));
            }
            if (!st.opt.ports.empty()) st.opt.port = st.opt.ports.front();
        } else if (key == "--sources") {
            st.opt.sources.clear();
            std::stringstream in(value);
            std::string part;
            while (std::getline(in, part, ',')) st.opt.sources.push_back(part);
        } else {
            std::fprintf(stderr, "unknown option %s\n", key.c_str());
            return 2;
        }
    }
    if (st.opt.port == 0) {
        std::fprintf(stderr, "usage: ovenspace-bench-room --port P --viewers N [--rounds R]\n");
        return 2;
    }
    asio::io_context io(1);
    bool finished = false;
    asio::co_spawn(io, run(&st), [&](std::exception_ptr e) {
        finished = true;
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                std::fprintf(stderr, "bench: %s\n", ex.what());
            }
        }
        io.stop();
    });
    io.run();
    return finished && st.connected == st.opt.viewers ? 0 : 1;
}
