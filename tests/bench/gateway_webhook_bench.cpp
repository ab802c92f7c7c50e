// Benchmark (not a test): the AdmissionWebhooks round trip of the gateway.
// A signed `incoming`/`opening` POST goes to the gateway, which asks a fake
// room service over a real link and answers OME; we time connect -> answer,
// one new connection per webhook as OME does. The matching `closing` follows
// each opening (not timed). Gateway, room and load generator each run on
// their own thread and io_context, all on 127.0.0.1.
//
//   ovenspace-bench-gateway [--rate N] [--seconds S]
#include <ovs/gateway/admission_webhook.hpp>
#include <ovs/gateway/gateway_service.hpp>
#include <ovs/link/link_client.hpp>
#include <ovs/net/net.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using tcp = ovs::asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
namespace asio = ovs::asio;
namespace http = ovs::http;
namespace beast = ovs::beast;

const std::string secret = "ome-webhook-secret";

std::string body_for(const char* status, unsigned stream, std::uint16_t port)
{
    const std::string url =
        "rtmp://127.0.0.1:1935/app/stream" + std::to_string(stream) + "?token=bench-token";
    nlohmann::json b = {
        {"client", {{"address", "127.0.0.1"}, {"port", port}, {"real_ip", "127.0.0.1"}}},
        {"request",
         {{"direction", "incoming"},
          {"protocol", "RTMP"},
          {"status", status},
          {"time", "2026-11-24T17:44:46.289+00:00"},
          {"url", url}}}};
    if (std::strcmp(status, "closing") == 0) b["request"]["new_url"] = url;
    return b.dump();
}

struct results {
    std::vector<double> opening_ms;  // connect -> answer read
    std::size_t allowed = 0;
    std::size_t refused = 0;
    std::size_t errors = 0;
    std::size_t outstanding = 0;
};

asio::awaitable<void> one_webhook(results* out, std::uint16_t port, std::string body, bool timed)
{
    const auto started = clock_type::now();
    ++out->outstanding;
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(5s);
    http::request<http::string_body> req{http::verb::post, "/v1/admission", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.set("X-OME-Signature", ovs::gateway::webhook_signature(secret, body));
    req.body() = std::move(body);
    req.prepare_payload();
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    auto [cec] = co_await stream.async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ovs::use_nothrow);
    if (!cec) {
        auto [wec, w] = co_await http::async_write(stream, req, ovs::use_nothrow);
        (void)w;
        if (!wec) {
            auto [rec, r] = co_await http::async_read(stream, buffer, res, ovs::use_nothrow);
            (void)r;
            if (!rec && res.result_int() == 200) {
                if (timed) {
                    out->opening_ms.push_back(
                        std::chrono::duration<double, std::milli>(clock_type::now() - started)
                            .count());
                    if (res.body().find("\"allowed\":true") != std::string::npos) {
                        ++out->allowed;
                    } else {
                        ++out->refused;
                    }
                }
                --out->outstanding;
                co_return;
            }
        }
    }
    ++out->errors;
    --out->outstanding;
}

asio::awaitable<void> load(results* out, std::uint16_t port, unsigned rate, unsigned seconds)
{
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto interval = std::chrono::nanoseconds(1'000'000'000 / rate);
    const auto start = clock_type::now();
    const unsigned total = rate * seconds;
    for (unsigned i = 0; i < total; ++i) {
        timer.expires_at(start + interval * i);
        co_await timer.async_wait(ovs::use_nothrow);
        const auto client_port = static_cast<std::uint16_t>(10000 + (i / 2) % 50000);
        const unsigned stream = (i / 2) % 9;
        // Even: a publisher opens; odd: the same publisher closes again.
        const bool opening = i % 2 == 0;
        asio::co_spawn(
            timer.get_executor(),
            one_webhook(
                out, port, body_for(opening ? "opening" : "closing", stream, client_port), opening),
            asio::detached);
    }
    while (out->outstanding > 0) {
        timer.expires_after(10ms);
        co_await timer.async_wait(ovs::use_nothrow);
    }
}

double percentile(std::vector<double>& v, double p)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto idx = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(idx, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv)
{
    unsigned rate = 1000;
    unsigned seconds = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--rate") == 0)
            rate = static_cast<unsigned>(std::stoul(argv[i + 1]));
        if (std::strcmp(argv[i], "--seconds") == 0)
            seconds = static_cast<unsigned>(std::stoul(argv[i + 1]));
    }
    // Each opening+closing pair is one publisher; `rate` counts both.
    ovs::config::config cfg;
    cfg.source = "bench";
    cfg.ome.host = "127.0.0.1";
    cfg.ome.api.access_token = "ome-access-token";
    cfg.ome.webhook_secret = secret;
    cfg.link.secret = "bench-link-secret-0123456789";
    cfg.gateway.http = {"127.0.0.1", 0};
    cfg.gateway.link = {"127.0.0.1", 0};
    cfg.gateway.metrics = {"127.0.0.1", 0};
    cfg.gateway.poll_interval = 1000ms;
    cfg.gateway.poll_backoff_max = 10000ms;
    cfg.rooms = {ovs::config::room_def{"main", "Bench", 9, "stream"}};

    // OME's API is a closed port: the poller just backs off in the background.
    asio::io_context gateway_ioc(1);
    {
        tcp::acceptor a(gateway_ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        cfg.ome.api.port = a.local_endpoint().port();
    }
    ovs::gateway::gateway_service gateway(gateway_ioc.get_executor(), cfg, [](std::string_view) {});
    gateway.start();
    const auto http_port = gateway.http_port();
    const auto link_port = gateway.link_port();
    std::thread gateway_thread([&] { gateway_ioc.run(); });

    // The fake room: allows every check, on its own thread.
    asio::io_context room_ioc(1);
    auto room_guard = asio::make_work_guard(room_ioc);
    std::promise<void> room_ready;
    ovs::link::link_options options;
    options.limits = cfg.link;
    options.role = "room";
    options.peer_role = "gateway";
    options.log = [](std::string_view) {};
    auto room = ovs::link::link_client::create(
        room_ioc.get_executor(), options, ovs::config::endpoint{"127.0.0.1", link_port});
    ovs::link::peer_handlers handlers;
    bool announced = false;
    handlers.on_connected = [&] {
        if (!announced) room_ready.set_value();
        announced = true;
    };
    std::atomic<std::size_t> checks{0};
    handlers.on_request = [&](ovs::proto::request, ovs::link::responder r) {
        ++checks;
        r.reply(ovs::proto::admission_result{true, "bench"});
    };
    room->set_handlers(std::move(handlers));
    room->start();
    std::thread room_thread([&] { room_ioc.run(); });
    if (room_ready.get_future().wait_for(5s) != std::future_status::ready) {
        std::fprintf(stderr, "room link did not come up\n");
        return 1;
    }

    results out;
    asio::io_context client_ioc(1);
    asio::co_spawn(client_ioc, load(&out, http_port, rate, seconds), asio::detached);
    const auto started = clock_type::now();
    client_ioc.run();
    const double elapsed = std::chrono::duration<double>(clock_type::now() - started).count();

    asio::post(room_ioc, [&] {
        room->stop();
        room_guard.reset();
    });
    asio::post(gateway_ioc, [&] { gateway.stop(); });
    room_thread.join();
    gateway_thread.join();

    auto& v = out.opening_ms;
    const std::size_t n = v.size();
    const double p50 = percentile(v, 0.50);
    const double p90 = percentile(v, 0.90);
    const double p99 = percentile(v, 0.99);
    const double max = v.empty() ? 0 : *std::max_element(v.begin(), v.end());
    std::printf("gateway admission webhook round trip (signed POST -> room over link -> answer)\n");
    std::printf("  offered: %u webhooks/s for %u s (openings and closings alternate), ran %.2f s\n",
                rate,
                seconds,
                elapsed);
    std::printf(
        "  openings timed: %zu  allowed: %zu  refused: %zu  errors: %zu  room checks: %zu\n",
        n,
        out.allowed,
        out.refused,
        out.errors,
        checks.load());
    std::printf("  latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", p50, p90, p99, max);
    return out.errors == 0 && out.refused == 0 ? 0 : 1;
}
