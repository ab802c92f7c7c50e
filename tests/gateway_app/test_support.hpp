#pragma once
// Helpers shared by the gateway app's loopback tests: a config on 127.0.0.1
// port 0, bounded io_context runs, a fake room service on a real link, and a
// one-shot HTTP client.

#include <ovs/config/config.hpp>
#include <ovs/link/link_client.hpp>
#include <ovs/net/net.hpp>
#include <ovs/proto/messages.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ovs::gateway::test {

using namespace std::chrono_literals;
using tcp = asio::ip::tcp;

// A port on 127.0.0.1 where nothing listens (bound, then released).
std::uint16_t refused_port(asio::io_context& ioc);

// Everything on loopback, short intervals, secret "ome-webhook-secret", one
// room "main" with 9 seats (stream0..stream8).
config::config make_config(std::uint16_t ome_api_port);

// Runs `ioc` until `done()` holds or `limit` passes; returns done().
bool run_until(asio::io_context& ioc,
               const std::function<bool()>& done,
               std::chrono::milliseconds limit = 5000ms);

// Runs one coroutine to completion (bounded); rethrows its exception.
template <class T>
T run_coroutine(asio::io_context& ioc,
                asio::awaitable<T> work,
                std::chrono::milliseconds limit = 5000ms)
{
    std::optional<T> result;
    std::exception_ptr error;
    bool finished = false;
    asio::co_spawn(ioc, std::move(work), [&](std::exception_ptr e, T value) {
        finished = true;
        error = e;
        if (!e) result = std::move(value);
    });
    REQUIRE(run_until(
        ioc, [&] { return finished; }, limit));
    if (error) std::rethrow_exception(error);
    return std::move(*result);
}

struct http_answer {
    unsigned status = 0;
    std::string body;
    std::string content_type;
};

// One HTTP/1.1 request on a fresh connection to 127.0.0.1:port.
asio::awaitable<http_answer> http_call(std::uint16_t port,
                                       std::string method,
                                       std::string target,
                                       std::string body,
                                       std::vector<std::pair<std::string, std::string>> headers);

// The room service, played by the test over a real libs/link client.
struct fake_room {
    fake_room(asio::io_context& ioc, std::uint16_t gateway_link_port);
    ~fake_room();

    std::shared_ptr<link::link_client> client;
    bool connected = false;
    std::vector<proto::event> events;
    std::vector<proto::admission_check> checks;
    // How to answer admission checks; default: allowed.
    std::function<proto::reply_body(const proto::admission_check&)> decide;
    bool hold_answers = false;  // never answer (the gateway must time out)
    // The answer to `seat_holds`; none: "unsupported" (as the room service
    // answers today).
    std::optional<std::vector<std::string>> holds;
    int holds_asked = 0;
    std::vector<link::responder> held;

    template <class E>
    std::vector<E> events_of() const
    {
        std::vector<E> out;
        for (const auto& e : events) {
            if (auto* x = std::get_if<E>(&e)) out.push_back(*x);
        }
        return out;
    }
};

// Reads a fixture file (exact bytes).
std::string read_fixture(const std::string& relative_path);

}  // namespace ovs::gateway::test
