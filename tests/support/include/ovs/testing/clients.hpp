#pragma once
// Clients for loopback tests of our servers (libs/net and the services on
// it): one-shot and keep-alive HTTP, raw bytes, a WebSocket client, plus a
// latch and a Prometheus reader. Beast lives only in the .cpp (one slow TU,
// compiled once into ovs_test_support), so test files stay quick to build.

#include <ovs/net/net.hpp>
#include <ovs/testing/temp_files.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace ovs::testing {

using json = nlohmann::json;

struct http_result {
    unsigned status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
};

// One request on a fresh connection; `target` is sent as is.
asio::awaitable<http_result> http_request(std::uint16_t port,
                                          std::string method,
                                          std::string target,
                                          std::map<std::string, std::string> headers = {},
                                          std::string body = {});

// Writes `bytes` as they are on a fresh connection and returns everything
// the server sends until it closes the connection (at most 1 MiB).
asio::awaitable<std::string> raw_exchange(std::uint16_t port, std::string bytes);

// The same, saying how the connection ended: eof for a graceful close,
// connection_reset when the server reset it.
struct raw_result {
    std::string bytes;
    error_code end;
};
asio::awaitable<raw_result> raw_exchange_ended(std::uint16_t port, std::string bytes);

// One keep-alive HTTP/1.1 connection for several requests in turn.
class http_connection {
public:
    // `receive_buffer`: SO_RCVBUF before connecting (0 = default); a small
    // one makes a client that reads late hold the server's write up.
    static asio::awaitable<std::unique_ptr<http_connection>> open(std::uint16_t port,
                                                                  int receive_buffer = 0);
    ~http_connection();
    asio::awaitable<void> send(std::string method, std::string target);
    // The next response; throws when the connection ends before it is whole.
    asio::awaitable<http_result> read();

    struct impl;

private:
    explicit http_connection(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

class ws_client {
public:
    struct options {
        std::string target = "/ws?room=main";
        std::string origin;      // empty: no Origin header
        int receive_buffer = 0;  // SO_RCVBUF before connecting, 0 = default
    };
    struct connect_result {
        std::unique_ptr<ws_client> client;
        error_code ec;
        unsigned http_status = 0;  // of the upgrade response
    };
    static asio::awaitable<connect_result> connect(std::uint16_t port, options opts);
    // Connects and returns the client; throws when the upgrade fails.
    static asio::awaitable<std::unique_ptr<ws_client>> open(std::uint16_t port,
                                                            std::string room = "main");

    ~ws_client();

    asio::awaitable<void> send(std::string text);
    // A ping frame; pongs() counts the answers seen while reading.
    asio::awaitable<void> ping();
    std::size_t pongs() const;
    // The next frame (from the backlog first); nullopt once closed. Then
    // close_code() says how.
    asio::awaitable<std::optional<std::string>> next_text();
    asio::awaitable<std::optional<json>> next();
    // The next frame of this type, skipping (and keeping nothing of) others.
    asio::awaitable<json> next_of(std::string type);
    // Sends a command and returns its reply; other frames go to the backlog.
    asio::awaitable<json> command(json cmd);
    // Reads (and discards) until the server closes; returns the close code,
    // or 0 when the connection ended without a close frame.
    asio::awaitable<unsigned> until_closed();

    unsigned close_code() const { return close_code_; }
    std::deque<json>& backlog() { return backlog_; }

    struct impl;

private:
    explicit ws_client(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
    std::deque<json> backlog_;
    unsigned close_code_ = 0;
    std::int64_t next_id_ = 1;
};

// Counts down; wait() resumes when it reaches zero.
class latch {
public:
    latch(asio::any_io_executor ex, std::size_t count) : timer_(ex), count_(count)
    {
        timer_.expires_at(asio::steady_timer::time_point::max());
    }
    void count_down()
    {
        if (count_ > 0 && --count_ == 0) timer_.cancel();
    }
    asio::awaitable<void> wait();
    std::size_t remaining() const { return count_; }

private:
    asio::steady_timer timer_;
    std::size_t count_;
};

// A value from Prometheus text: `name` includes labels, e.g.
// ovs_room_rejections_total{reason="rate_limited"}; 0 when absent.
double metric_value(const std::string& text, const std::string& name);

// Runs `test` on `io` to completion (bounded by `limit`), then calls `stop`
// and requires the io_context to run out of work: everything a server
// started must end once it stops. Rethrows the test's exception.
void run_bounded(asio::io_context& io,
                 const std::function<void()>& stop,
                 asio::awaitable<void> test,
                 std::chrono::seconds limit = std::chrono::seconds(30));

// Resumes after `d`.
asio::awaitable<void> sleep_for(std::chrono::milliseconds d);

}  // namespace ovs::testing
