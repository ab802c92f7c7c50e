#pragma once
// A Redis client that keeps one connection up: it connects, reconnects after
// a loss with backoff (full jitter between reconnect_min and reconnect_max),
// and PINGs an idle connection so a dead server is noticed without traffic.
//
//   auto redis = client::create(ioc.get_executor(), opts);
//   redis->set_handlers({.on_up = ..., .on_down = ...});
//   redis->start();
//   auto [ec, replies] = co_await redis->async_exec(request{"INCR", "n"}, use_nothrow);
//   auto [ec2, r] = co_await redis->async_eval(my_script, {"key"}, {"arg"}, use_nothrow);
//   redis->stop();
//
// While it is down, requests fail at once with errc::not_connected: nothing
// is queued for later, so a caller can answer its own user immediately (the
// room service refuses a claim with store_unavailable rather than hold it).
// A request in flight when the connection drops fails with errc::closed or
// errc::timeout: Redis may or may not have executed it.
//
// Pub/sub (see subscriber.hpp) uses the same loop with a setup request (the
// SUBSCRIBE) that must succeed before the client counts as up, and a push
// handler.
//
// Threading: one executor; handlers run on it.

#include <ovs/net/net.hpp>
#include <ovs/proto/backoff.hpp>
#include <ovs/redis/connection.hpp>
#include <ovs/redis/script.hpp>

#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace ovs::redis {

using eval_signature = void(error_code, reply);
using eval_handler = asio::any_completion_handler<eval_signature>;

struct client_handlers {
    std::function<void()> on_up;              // connected (and set up)
    std::function<void(error_code)> on_down;  // the connection was lost
};

class client : public std::enable_shared_from_this<client> {
public:
    static std::shared_ptr<client> create(asio::any_io_executor ex, options opt);
    ~client();

    // Set before start().
    void set_handlers(client_handlers h) { handlers_ = std::move(h); }
    // A request sent after each connect; any error reply in it counts as a
    // failed attempt. `extra`: see subscriber.
    void set_setup(request setup) { setup_ = std::move(setup); }
    void set_push_handler(std::function<void(reply)> h) { push_handler_ = std::move(h); }

    void start();
    // Closes the connection and stops reconnecting; requests in flight fail
    // with errc::stopped. No handler runs afterwards. Idempotent.
    void stop();

    bool is_up() const { return up_ && conn_ && conn_->is_open(); }
    const asio::any_io_executor& executor() const { return ex_; }
    // Connections made (first one included) and lost, for metrics and tests.
    std::uint64_t connects() const { return connects_; }
    std::uint64_t losses() const { return losses_; }

    template <class Token>
    auto async_exec(request req, Token&& token)
    {
        return asio::async_initiate<Token, exec_signature>(
            [this](auto handler, request r) {
                exec(std::move(r), exec_handler(std::move(handler)));
            },
            token,
            std::move(req));
    }

    // EVALSHA; on NOSCRIPT loads the script and runs it once more. Completes
    // with the script's reply (which may be an error reply: a script error).
    // `s` must outlive the call (scripts are long-lived objects).
    template <class Token>
    auto async_eval(const script& s,
                    std::vector<std::string> keys,
                    std::vector<std::string> args,
                    Token&& token)
    {
        return asio::async_initiate<Token, eval_signature>(
            [this, &s](auto handler, std::vector<std::string> k, std::vector<std::string> a) {
                eval(s, std::move(k), std::move(a), eval_handler(std::move(handler)));
            },
            token,
            std::move(keys),
            std::move(args));
    }

    void exec(request req, exec_handler handler);
    void eval(const script& s,
              std::vector<std::string> keys,
              std::vector<std::string> args,
              eval_handler handler);

private:
    client(asio::any_io_executor ex, options opt);
    asio::awaitable<void> run(std::shared_ptr<client> self);
    asio::awaitable<bool> connect_once();
    void log(const std::string& line) const;

    asio::any_io_executor ex_;
    options opt_;
    proto::backoff_policy backoff_;
    std::mt19937_64 rng_;
    client_handlers handlers_;
    std::optional<request> setup_;
    std::function<void(reply)> push_handler_;
    std::shared_ptr<connection> conn_;
    asio::steady_timer wait_timer_;     // keep-alive interval; cancelled when the connection closes
    asio::steady_timer backoff_timer_;  // between attempts; cancelled only by stop()
    bool started_ = false;
    bool stopped_ = false;
    bool up_ = false;
    std::uint64_t connects_ = 0;
    std::uint64_t losses_ = 0;
};

}  // namespace ovs::redis
