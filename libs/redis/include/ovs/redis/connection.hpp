#pragma once
// One TCP connection to Redis. Requests are pipelined: each is appended to
// the output as it comes and written with whatever else is queued (one
// writer coroutine); replies are matched to requests in order by the reader
// coroutine, which feeds the bytes to hiredis's RESP reader.
//
//   auto conn = connection::create(ex, opts);
//   if (auto ec = co_await conn->connect()) ...;       // TCP + AUTH/SELECT/SETNAME
//   auto [ec, replies] = co_await conn->async_exec(request{"GET", "k"}, use_nothrow);
//
// Deadlines: the oldest unanswered request must be answered within
// options::request_timeout, or the connection closes with errc::timeout and
// every request in flight fails (a late reply could not be told apart from
// the next request's). A Redis error reply is a reply (reply::is_error()),
// not an error_code.
//
// Pub/sub: with a push handler set, replies of the shape ["message", channel,
// payload] (and "pmessage") go to it instead of to a request.
//
// Threading: one executor (no strand inside); call it from that executor only.

#include <ovs/net/net.hpp>
#include <ovs/redis/errors.hpp>
#include <ovs/redis/options.hpp>
#include <ovs/redis/reply.hpp>
#include <ovs/redis/request.hpp>
#include <ovs/redis/resp_reader.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ovs::redis {

using exec_signature = void(error_code, std::vector<reply>);
using exec_handler = asio::any_completion_handler<exec_signature>;

class connection : public std::enable_shared_from_this<connection> {
public:
    static std::shared_ptr<connection> create(asio::any_io_executor ex, options opt);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // Resolves and connects within connect_timeout, then sends AUTH (when a
    // password is set), SELECT (db != 0), CLIENT SETNAME (name set) and a
    // PING, and waits for their answers (request_timeout). An error closes
    // the connection.
    asio::awaitable<error_code> connect();

    // Sends the request's commands and completes with one reply per expected
    // reply, or with an error (not_connected, timeout, closed, ...) and no
    // replies. Completes through the handler's executor, never inline.
    template <class Token>
    auto async_exec(request req, Token&& token)
    {
        return asio::async_initiate<Token, exec_signature>(
            [this](auto handler, request r) {
                enqueue(std::move(r), exec_handler(std::move(handler)));
            },
            token,
            std::move(req));
    }

    void set_push_handler(std::function<void(reply)> h) { push_handler_ = std::move(h); }
    // Runs once, from the executor, after an open connection closed (not
    // after a failed connect()).
    void set_closed_handler(std::function<void(error_code)> h) { closed_handler_ = std::move(h); }

    // Closes the socket and fails every request in flight with `why`. Idempotent.
    void close(error_code why = errc::closed);

    bool is_open() const { return state_ == state::open; }
    std::size_t in_flight() const { return pending_.size(); }
    error_code close_reason() const { return close_reason_; }

private:
    using clock = std::chrono::steady_clock;
    using tcp = asio::ip::tcp;
    enum class state { idle, connecting, open, closed };

    struct pending {
        std::size_t expected = 0;
        std::vector<reply> replies;
        clock::time_point deadline;
        exec_handler handler;
    };

    connection(asio::any_io_executor ex, options opt);
    void enqueue(request req, exec_handler handler);
    void finish(exec_handler handler, error_code ec, std::vector<reply> replies);
    void on_reply(reply r);
    void log(const std::string& line) const;
    asio::awaitable<void> reader(std::shared_ptr<connection> self);
    asio::awaitable<void> writer(std::shared_ptr<connection> self);
    asio::awaitable<void> watchdog(std::shared_ptr<connection> self);

    asio::any_io_executor ex_;
    options opt_;
    tcp::socket socket_;
    tcp::resolver resolver_;
    asio::steady_timer connect_timer_;
    asio::steady_timer write_wake_;
    asio::steady_timer deadline_timer_;
    resp_reader parser_;
    state state_ = state::idle;
    error_code close_reason_;
    std::string out_;  // formatted commands the writer has not taken yet
    std::deque<pending> pending_;
    std::function<void(reply)> push_handler_;
    std::function<void(error_code)> closed_handler_;
};

}  // namespace ovs::redis
