#pragma once
// Loopback helpers for the gateway_link tests: a fake gateway (libs/link's
// link_server), a minimal HTTP GET and a minimal browser WebSocket client.
// Beast is compiled only in support.cpp.

#include <ovs/config/config.hpp>
#include <ovs/link/link_server.hpp>
#include <ovs/net/net.hpp>
#include <ovs/proto/messages.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ovs::room::link_testing {

using json = nlohmann::json;

// Wakes one waiting coroutine per notify(); notifications are counted, so a
// notify() before wait() is not lost.
class signal {
public:
    explicit signal(asio::any_io_executor ex) : timer_(std::move(ex))
    {
        timer_.expires_at(asio::steady_timer::time_point::max());
    }
    void notify()
    {
        ++pending_;
        timer_.cancel();
    }
    asio::awaitable<void> wait();

private:
    asio::steady_timer timer_;
    std::size_t pending_ = 0;
};

// The gateway's side of the link, scripted by the test: on every connect it
// sends `greeting` (streams snapshot, endpoints, media_status, in that order
// as the real gateway does); kicks are recorded and answered ok.
class fake_gateway {
public:
    fake_gateway(asio::any_io_executor ex, config::link_config limits);
    ~fake_gateway();

    // Listens on 127.0.0.1:port (0 = a free port).
    void listen(std::uint16_t port = 0);
    std::uint16_t port() const { return port_; }
    void stop();
    link::link_server& server() { return *server_; }

    std::vector<proto::event> greeting;
    std::vector<proto::kick> kicks;
    std::size_t connects = 0;
    signal connected;
    signal kicked;

private:
    asio::any_io_executor ex_;
    config::link_config limits_;
    std::shared_ptr<link::link_server> server_;
    std::uint16_t port_ = 0;
};

struct http_reply {
    unsigned status = 0;
    std::string body;
};
asio::awaitable<http_reply> http_get(std::uint16_t port, std::string target);

// A browser on /ws?room=<room>.
class ws_client {
public:
    static asio::awaitable<std::unique_ptr<ws_client>> open(std::uint16_t port, std::string room);
    ~ws_client();

    // The next frame (backlog first). Throws when the socket closes.
    asio::awaitable<json> next();
    // The next frame of `type`; other frames are dropped.
    asio::awaitable<json> next_of(std::string type);
    // The next `media` frame (or snapshot's media) matching `reachable`.
    // The next media object whose `reachable` is `reachable` (true, false,
    // or null: unknown, while the room has no gateway link).
    asio::awaitable<json> next_media(json reachable);
    // Sends a command with a fresh id and returns its reply (other frames
    // are kept in the backlog).
    asio::awaitable<json> command(json cmd);
    asio::awaitable<void> close();

    struct impl;

private:
    explicit ws_client(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
    std::deque<json> backlog_;
    std::int64_t next_id_ = 1;
};

}  // namespace ovs::room::link_testing
