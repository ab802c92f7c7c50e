#include <ovs/redis/connection.hpp>
#include <ovs/util/exception_text.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <exception>
#include <utility>

namespace ovs::redis {
namespace {

bool is_push(const reply& r)
{
    if (!r.is_array() || r.items.empty() || r.items[0].kind != reply_kind::string) return false;
    const auto& kind = r.items[0].text;
    return (kind == "message" && r.items.size() == 3) ||
           (kind == "pmessage" && r.items.size() == 4);
}

}  // namespace

std::shared_ptr<connection> connection::create(asio::any_io_executor ex, options opt)
{
    return std::shared_ptr<connection>(new connection(std::move(ex), std::move(opt)));
}

connection::connection(asio::any_io_executor ex, options opt)
    : ex_(ex),
      opt_(std::move(opt)),
      socket_(ex),
      resolver_(ex),
      connect_timer_(ex),
      write_wake_(ex),
      deadline_timer_(ex),
      parser_(opt_.max_reply_bytes)
{
}

connection::~connection()
{
    error_code ignored;
    socket_.close(ignored);
}

void connection::log(const std::string& line) const
{
    if (opt_.log) opt_.log(line);
}

asio::awaitable<error_code> connection::connect()
{
    auto self = shared_from_this();
    if (state_ != state::idle) co_return make_error_code(errc::connect_failed);
    state_ = state::connecting;
    const auto& server = opt_.server;

    // One deadline for resolve + connect: the timer closes what is pending.
    connect_timer_.expires_after(opt_.connect_timeout);
    connect_timer_.async_wait([weak = weak_from_this()](error_code ec) {
        auto c = weak.lock();
        if (ec || !c || c->state_ != state::connecting) return;
        c->resolver_.cancel();
        error_code ignored;
        c->socket_.close(ignored);
    });

    std::vector<tcp::endpoint> candidates;
    error_code ec;
    auto literal = asio::ip::make_address(server.host, ec);
    if (!ec) {
        candidates.emplace_back(literal, server.port);
    } else {
        auto [rec, results] =
            co_await resolver_.async_resolve(server.host, std::to_string(server.port), use_nothrow);
        if (rec) {
            connect_timer_.cancel();
            close(errc::connect_failed);
            log("cannot resolve " + server.host + ": " + rec.message());
            co_return make_error_code(errc::connect_failed);
        }
        for (const auto& r : results) candidates.push_back(r.endpoint());
    }
    if (state_ != state::connecting) co_return make_error_code(errc::connect_failed);
    auto [cec, endpoint] = co_await asio::async_connect(socket_, candidates, use_nothrow);
    connect_timer_.cancel();
    if (cec || state_ != state::connecting) {
        close(errc::connect_failed);
        co_return make_error_code(errc::connect_failed);
    }
    error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    state_ = state::open;
    util::log_exception_to<logger> guard{opt_.log, "redis: unexpected exception: "};
    asio::co_spawn(ex_, reader(self), guard);
    asio::co_spawn(ex_, writer(self), guard);
    asio::co_spawn(ex_, watchdog(self), guard);

    request setup;
    if (!server.password.empty()) {
        if (server.username.empty()) {
            setup.push({"AUTH", server.password});
        } else {
            setup.push({"AUTH", server.username, server.password});
        }
    }
    if (server.db != 0) setup.push({"SELECT", std::to_string(server.db)});
    if (!opt_.client_name.empty()) setup.push({"CLIENT", "SETNAME", opt_.client_name});
    // A server that accepted the TCP connection may still be unable to
    // answer (frozen, overloaded): it counts as connected once it does.
    setup.push({"PING"});
    auto [sec, replies] = co_await async_exec(std::move(setup), use_nothrow);
    if (sec) co_return sec;
    for (const auto& r : replies) {
        if (r.is_error()) {
            // Redis's own words ("WRONGPASS ...", "ERR DB index is out of range"): no secrets.
            log("connection setup refused: " + r.text);
            close(errc::handshake_failed);
            co_return make_error_code(errc::handshake_failed);
        }
    }
    co_return error_code{};
}

void connection::enqueue(request req, exec_handler handler)
{
    if (state_ != state::open) {
        finish(std::move(handler), make_error_code(errc::not_connected), {});
        return;
    }
    if (req.expected_replies() == 0) {
        finish(std::move(handler), {}, {});
        return;
    }
    if (pending_.size() >= opt_.max_pending) {
        finish(std::move(handler), make_error_code(errc::too_many_pending), {});
        return;
    }
    const bool was_idle = pending_.empty();
    const bool writer_idle = out_.empty();
    out_ += req.payload();
    pending_.push_back(pending{
        req.expected_replies(), {}, clock::now() + opt_.request_timeout, std::move(handler)});
    pending_.back().replies.reserve(req.expected_replies());
    if (writer_idle) write_wake_.cancel();
    if (was_idle) deadline_timer_.cancel();  // the watchdog re-arms for this request
}

void connection::finish(exec_handler handler, error_code ec, std::vector<reply> replies)
{
    asio::post(ex_, asio::append(std::move(handler), ec, std::move(replies)));
}

void connection::on_reply(reply r)
{
    if (push_handler_ && is_push(r)) {
        push_handler_(std::move(r));
        return;
    }
    if (pending_.empty()) {
        log("reply without a request: " + describe(r, 60));
        close(errc::protocol_error);
        return;
    }
    auto& front = pending_.front();
    front.replies.push_back(std::move(r));
    if (front.replies.size() < front.expected) return;
    auto done = std::move(front);
    pending_.pop_front();
    finish(std::move(done.handler), {}, std::move(done.replies));
}

asio::awaitable<void> connection::reader([[maybe_unused]] std::shared_ptr<connection> self)
{
    std::array<char, 16 * 1024> buf;
    while (state_ == state::open) {
        auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buf), use_nothrow);
        if (ec) {
            if (state_ == state::open) {
                if (ec != asio::error::eof && ec != asio::error::operation_aborted) {
                    log("read: " + ec.message());
                }
                close(errc::closed);
            }
            break;
        }
        parser_.feed(std::string_view(buf.data(), n));
        reply r;
        for (;;) {
            auto st = parser_.next(r);
            if (st == resp_reader::status::need_more) break;
            if (st == resp_reader::status::error) {
                log("bad reply stream: " + parser_.error());
                close(parser_.too_large() ? errc::reply_too_large : errc::protocol_error);
                co_return;
            }
            on_reply(std::move(r));
            if (state_ != state::open) co_return;
        }
    }
}

asio::awaitable<void> connection::writer([[maybe_unused]] std::shared_ptr<connection> self)
{
    std::string writing;
    while (state_ == state::open) {
        if (out_.empty()) {
            write_wake_.expires_at(clock::time_point::max());
            co_await write_wake_.async_wait(use_nothrow);
            continue;
        }
        writing.clear();
        writing.swap(out_);
        auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(writing), use_nothrow);
        if (ec) {
            if (state_ == state::open) {
                log("write: " + ec.message());
                close(errc::closed);
            }
            break;
        }
    }
}

asio::awaitable<void> connection::watchdog([[maybe_unused]] std::shared_ptr<connection> self)
{
    while (state_ == state::open) {
        deadline_timer_.expires_at(pending_.empty() ? clock::time_point::max()
                                                    : pending_.front().deadline);
        co_await deadline_timer_.async_wait(use_nothrow);
        if (state_ != state::open) break;
        if (!pending_.empty() && pending_.front().deadline <= clock::now()) {
            log("no reply within " + std::to_string(opt_.request_timeout.count()) +
                " ms; closing the connection");
            close(errc::timeout);
        }
    }
}

void connection::close(error_code why)
{
    if (state_ == state::closed) return;
    const bool was_open = state_ == state::open;
    state_ = state::closed;
    close_reason_ = why;
    error_code ignored;
    resolver_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    connect_timer_.cancel();
    write_wake_.cancel();
    deadline_timer_.cancel();
    out_.clear();
    auto failed = std::move(pending_);
    pending_.clear();
    for (auto& p : failed) finish(std::move(p.handler), why, {});
    if (closed_handler_ && was_open) {
        asio::post(ex_, [h = std::move(closed_handler_), why] { h(why); });
    }
    closed_handler_ = nullptr;
}

}  // namespace ovs::redis
