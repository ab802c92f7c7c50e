#include <ovs/redis/client.hpp>
#include <ovs/util/exception_text.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include <exception>
#include <utility>

namespace ovs::redis {
namespace {

std::vector<std::string> evalsha_argv(const script& s,
                                      const std::vector<std::string>& keys,
                                      const std::vector<std::string>& args)
{
    std::vector<std::string> argv;
    argv.reserve(3 + keys.size() + args.size());
    argv.push_back("EVALSHA");
    argv.push_back(s.sha1());
    argv.push_back(std::to_string(keys.size()));
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

}  // namespace

std::shared_ptr<client> client::create(asio::any_io_executor ex, options opt)
{
    return std::shared_ptr<client>(new client(std::move(ex), std::move(opt)));
}

client::client(asio::any_io_executor ex, options opt)
    : ex_(ex),
      opt_(std::move(opt)),
      backoff_(opt_.reconnect_min, opt_.reconnect_max),
      rng_(opt_.rng_seed ? *opt_.rng_seed : std::random_device{}()),
      wait_timer_(ex),
      backoff_timer_(ex)
{
}

client::~client()
{
    if (conn_) conn_->close(make_error_code(errc::stopped));
}

void client::log(const std::string& line) const
{
    if (opt_.log) opt_.log(line);
}

void client::start()
{
    if (started_ || stopped_) return;
    started_ = true;
    asio::co_spawn(
        ex_,
        run(shared_from_this()),
        util::log_exception_to<logger>{opt_.log, "redis client: unexpected exception: "});
}

void client::stop()
{
    if (stopped_) return;
    stopped_ = true;
    up_ = false;
    wait_timer_.cancel();
    backoff_timer_.cancel();
    if (conn_) conn_->close(make_error_code(errc::stopped));
    // Cleared later: stop() may run inside one of these handlers.
    asio::post(ex_, [self = shared_from_this()] {
        self->handlers_ = {};
        self->push_handler_ = nullptr;
    });
}

asio::awaitable<void> client::run([[maybe_unused]] std::shared_ptr<client> self)
{
    while (!stopped_) {
        if (co_await connect_once()) {
            auto conn = conn_;
            up_ = true;
            ++connects_;
            backoff_.reset();
            if (handlers_.on_up) handlers_.on_up();
            // Keep-alive: PING whenever the connection has been idle for a
            // ping interval. A missing answer closes it (request deadline).
            while (!stopped_ && conn->is_open()) {
                wait_timer_.expires_after(opt_.ping_interval);
                co_await wait_timer_.async_wait(use_nothrow);
                if (stopped_ || !conn->is_open()) break;
                if (conn->in_flight() == 0) {
                    conn->async_exec(request{"PING"}, [](error_code, std::vector<reply>) {});
                }
            }
            up_ = false;
            if (stopped_) break;
            ++losses_;
            const auto why = conn->close_reason();
            log("connection to Redis lost (" + why.message() + ")");
            if (handlers_.on_down) handlers_.on_down(why);
        }
        if (stopped_) break;
        // Only stop() cuts the backoff short.
        const auto delay = backoff_.next(rng_);
        backoff_timer_.expires_after(delay);
        co_await backoff_timer_.async_wait(use_nothrow);
    }
    conn_.reset();
}

asio::awaitable<bool> client::connect_once()
{
    auto conn = connection::create(ex_, opt_);
    conn_ = conn;
    if (push_handler_) {
        conn->set_push_handler([weak = weak_from_this()](reply r) {
            auto self = weak.lock();
            if (self && !self->stopped_ && self->push_handler_) self->push_handler_(std::move(r));
        });
    }
    // A closed connection wakes the keep-alive wait at once.
    conn->set_closed_handler(
        [weak = weak_from_this(), which = std::weak_ptr<connection>(conn)](error_code) {
            auto self = weak.lock();
            if (self && self->conn_ == which.lock()) self->wait_timer_.cancel();
        });
    if (auto ec = co_await conn->connect()) {
        if (!stopped_) {
            log("cannot connect to " + redacted(opt_.server) + ": " + ec.message());
        }
        co_return false;
    }
    if (stopped_) co_return false;
    if (setup_) {
        auto [ec, replies] = co_await conn->async_exec(*setup_, use_nothrow);
        if (!ec) {
            for (const auto& r : replies) {
                if (r.is_error()) {
                    log("connection setup refused: " + r.text);
                    ec = make_error_code(errc::handshake_failed);
                    break;
                }
            }
        }
        if (ec) {
            conn->close(ec);
            co_return false;
        }
    }
    co_return !stopped_ && conn->is_open();
}

void client::exec(request req, exec_handler handler)
{
    if (!up_ || !conn_ || stopped_) {
        asio::post(ex_,
                   asio::append(std::move(handler),
                                make_error_code(stopped_ ? errc::stopped : errc::not_connected),
                                std::vector<reply>{}));
        return;
    }
    conn_->async_exec(std::move(req), std::move(handler));
}

void client::eval(const script& s,
                  std::vector<std::string> keys,
                  std::vector<std::string> args,
                  eval_handler handler)
{
    request first;
    first.push(evalsha_argv(s, keys, args));
    auto on_first = [self = shared_from_this(),
                     &s,
                     keys = std::move(keys),
                     args = std::move(args),
                     handler = std::move(handler)](error_code ec,
                                                   std::vector<reply> replies) mutable {
        if (ec || replies.size() != 1) {
            std::move(handler)(ec ? ec : make_error_code(errc::unexpected_reply), reply{});
            return;
        }
        if (!replies[0].is_error_code("NOSCRIPT")) {
            std::move(handler)(error_code{}, std::move(replies[0]));
            return;
        }
        // The server does not know the script (restarted, or SCRIPT FLUSH):
        // load it and run it again in one round trip.
        request retry;
        retry.push({"SCRIPT", "LOAD", s.source()});
        retry.push(evalsha_argv(s, keys, args));
        self->exec(std::move(retry),
                   [h = std::move(handler)](error_code ec2, std::vector<reply> r2) mutable {
                       if (ec2 || r2.size() != 2) {
                           std::move(h)(ec2 ? ec2 : make_error_code(errc::unexpected_reply),
                                        reply{});
                           return;
                       }
                       std::move(h)(error_code{}, std::move(r2[1]));
                   });
    };
    exec(std::move(first), exec_handler(std::move(on_first)));
}

}  // namespace ovs::redis
