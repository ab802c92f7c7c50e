// One connection of the internal link (proto/internal.md), either end: the
// handshake, the line reader, the bounded write queue and its writer,
// requests matched to replies with deadlines, heartbeats, and the close.
// Why one file of about 530 lines: every one of those jobs reads and changes
// the same few fields of the connection (the pending requests, the queue,
// whether the handshake is done, whether it is closing), and a close from
// any of them must settle all the others at once (fail every pending
// request, stop the writer, cancel the heartbeat). Split by job they would
// share that state through friends or a struct of everything; the pure
// parts (codec, handshake) are already in libs/proto.
#include <ovs/link/link_connection.hpp>
#include <ovs/log/log.hpp>
#include <ovs/proto/codec.hpp>
#include <ovs/proto/handshake.hpp>
#include <ovs/util/exception_text.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <exception>
#include <iostream>
#include <utility>

namespace ovs::link {
namespace {

using clock = std::chrono::steady_clock;

proto::reply error_reply(std::uint64_t id, std::string code, std::string message)
{
    return proto::reply{id, proto::error_info{std::move(code), std::move(message)}};
}

std::string describe(const tcp::socket& s)
{
    error_code ec;
    auto ep = s.remote_endpoint(ec);
    if (ec) return "?";
    return ep.address().to_string() + ":" + std::to_string(ep.port());
}

std::string address_of(const tcp::socket& s)
{
    error_code ec;
    auto ep = s.remote_endpoint(ec);
    if (ec) return "?";
    return ep.address().to_string();
}

// Error texts may repeat what the peer sent (a JSON parser's excerpt, an
// unknown type): bounded and printable in logs and on the wire.
constexpr std::size_t max_error_text = 200;

}  // namespace

logger stderr_logger()
{
    return [](std::string_view line) { log::info(std::string("link: ").append(line)); };
}

std::shared_ptr<link_connection> link_connection::create(tcp::socket socket, link_options options)
{
    return std::shared_ptr<link_connection>(
        new link_connection(std::move(socket), std::move(options)));
}

link_connection::link_connection(tcp::socket socket, link_options options)
    : socket_(std::move(socket)),
      opt_(std::move(options)),
      framer_(opt_.limits.max_line_bytes),
      peer_(describe(socket_)),
      peer_address_(address_of(socket_)),
      writer_wake_(socket_.get_executor()),
      heartbeat_timer_(socket_.get_executor()),
      linger_timer_(socket_.get_executor())
{
}

link_connection::~link_connection() = default;

void link_connection::set_handlers(link_handlers handlers)
{
    handlers_ = std::move(handlers);
}

void link_connection::log(const std::string& what) const
{
    if (opt_.log) opt_.log(peer_ + ": " + what);
}

void link_connection::start()
{
    if (state_ != state::created) return;
    state_ = state::handshaking;
    started_at_ = clock::now();
    last_received_ = started_at_;
    last_ping_ = last_received_;
    handshake_.emplace(
        proto::handshake_settings{opt_.role, opt_.peer_role, opt_.software, opt_.limits.secret},
        proto::make_nonce());
    enqueue(proto::encode(handshake_->own_hello()));
    auto ex = socket_.get_executor();
    // An exception out of one of these is a bug; it must not leave behind a
    // connection that nobody reads or pings: log it and close.
    auto close_on_exception = [self = shared_from_this()](std::exception_ptr e) {
        if (!e) return;
        std::string what = "unknown exception";
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            what = x.what();
        } catch (...) {
        }
        self->log("unexpected exception: " + what);
        self->finish_close("internal error: " + what);
    };
    asio::co_spawn(ex, reader(), close_on_exception);
    asio::co_spawn(ex, writer(), close_on_exception);
    asio::co_spawn(ex, heartbeat(), close_on_exception);
}

// ------------------------------------------------------------------ reading

asio::awaitable<void> link_connection::reader()
{
    auto self = shared_from_this();
    std::array<char, 8192> buf;
    while (state_ == state::handshaking || state_ == state::ready) {
        auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buf), use_nothrow);
        if (ec) {
            if (state_ == state::handshaking) handshake_failure_ = "abandoned";
            if (ec == asio::error::eof)
                finish_close("peer closed the connection");
            else
                finish_close("read failed: " + ec.message());
            co_return;
        }
        last_received_ = clock::now();
        framer_.feed(std::string_view(buf.data(), n));
        while (auto line = framer_.next_line()) {
            handle_line(*line);
            if (state_ != state::handshaking && state_ != state::ready) co_return;
        }
        if (state_ == state::handshaking &&
            framer_.partial_bytes() > proto::handshake_max_line_bytes) {
            // Before the peer has proven anything it may not make us hold
            // more than one small line.
            refuse({"too_large",
                    "malformed",
                    "a handshake line longer than " +
                        std::to_string(proto::handshake_max_line_bytes) + " bytes"});
            co_return;
        }
        if (framer_.overflowed()) {
            protocol_error("too_large",
                           "received a line longer than " +
                               std::to_string(opt_.limits.max_line_bytes) + " bytes");
            co_return;
        }
    }
}

void link_connection::handle_line(const std::string& line)
{
    if (state_ == state::handshaking) {
        handle_handshake_line(line);
        return;
    }
    auto decoded = proto::decode(line, opt_.limits.max_line_bytes);
    if (!decoded) {
        const auto& err = decoded.error();
        // Forward compatibility: a newer peer may send types we do not know.
        // An unknown event is skipped; an unknown request gets an error reply.
        if (err.code == proto::decode_errc::unknown_type && state_ == state::ready) {
            if (err.id) {
                send_reply(*err.id, proto::error_info{"unknown_request", err.text});
            } else {
                log("ignoring " + err.text);
            }
            return;
        }
        protocol_error(std::string(proto::wire_code(err.code)), err.text);
        return;
    }
    handle_message(std::move(decoded.value()));
}

void link_connection::handle_handshake_line(const std::string& line)
{
    if (line.size() > proto::handshake_max_line_bytes) {
        refuse({"too_large",
                "malformed",
                "a handshake line longer than " + std::to_string(proto::handshake_max_line_bytes) +
                    " bytes"});
        return;
    }
    auto decoded = proto::decode(line, proto::handshake_max_line_bytes);
    if (!decoded) {
        refuse({std::string(proto::wire_code(decoded.error().code)),
                "malformed",
                decoded.error().text});
        return;
    }
    if (const auto* err = std::get_if<proto::error_message>(&decoded.value())) {
        // The peer refused us (a wrong secret on one side, most likely).
        handshake_failure_ = "peer_error";
        finish_close("the peer refused the handshake: " + err->error.code + ": " +
                     proto::printable_excerpt(err->error.message, max_error_text));
        return;
    }
    auto step = handshake_->receive(decoded.value());
    for (const auto& m : step.send) enqueue(proto::encode(m));
    if (step.failure) {
        refuse(*step.failure);
        return;
    }
    if (!step.done) return;
    state_ = state::ready;
    const auto& peer = *handshake_->peer_hello();
    log("authenticated " + proto::printable_excerpt(peer.role) + " (" +
        proto::printable_excerpt(peer.software) + ")");
    heartbeat_timer_.cancel();  // re-plan: pings start now
    if (handlers_.on_ready) handlers_.on_ready();
}

void link_connection::refuse(const proto::handshake_failure& failure)
{
    if (state_ != state::handshaking) return;
    handshake_failure_ = failure.reason;
    log("handshake refused (" + failure.reason + ")");
    protocol_error(failure.code, failure.text);
}

void link_connection::evict(const std::string& why)
{
    if (state_ != state::handshaking) return;
    handshake_failure_ = "evicted";
    finish_close(why);
}

void link_connection::handle_message(proto::message m)
{
    if (std::holds_alternative<proto::hello>(m) || std::holds_alternative<proto::auth>(m)) {
        protocol_error("bad_message",
                       "a second " + std::string(proto::type_name(m)) + " on one connection");
    } else if (std::holds_alternative<proto::ping>(m)) {
        enqueue(proto::encode(proto::pong{}));
    } else if (std::holds_alternative<proto::pong>(m)) {
        // Any traffic proves the peer alive; last_received_ is already updated.
    } else if (auto* rep = std::get_if<proto::reply>(&m)) {
        auto it = pending_.find(rep->id);
        if (it == pending_.end()) {
            log("ignoring a reply to unknown request " + std::to_string(rep->id) +
                " (late, after its timeout?)");
            return;
        }
        auto waiting = it->second;
        pending_.erase(it);
        waiting->result = std::move(*rep);
        waiting->timer.cancel();
    } else if (auto* err = std::get_if<proto::error_message>(&m)) {
        finish_close("peer reported " + proto::printable_excerpt(err->error.code) + ": " +
                     proto::printable_excerpt(err->error.message, max_error_text));
    } else if (auto ev = proto::as_event(m)) {
        if (handlers_.on_event) handlers_.on_event(std::move(*ev));
    } else if (auto req = proto::as_request(m)) {
        std::uint64_t id = proto::request_id(*req);
        if (!handlers_.on_request) {
            send_reply(id, proto::error_info{"unsupported", "this side does not serve requests"});
            return;
        }
        handlers_.on_request(std::move(*req), responder(weak_from_this(), id));
    }
}

// ------------------------------------------------------------------ writing

bool link_connection::enqueue(std::string line)
{
    if (state_ != state::handshaking && state_ != state::ready) return false;
    if (outbox_.size() >= opt_.max_queued_messages) {
        finish_close("outgoing queue full (" + std::to_string(outbox_.size()) +
                     " messages): the peer is not reading");
        return false;
    }
    outbox_.push_back(std::move(line));
    writer_wake_.cancel();
    return true;
}

asio::awaitable<void> link_connection::writer()
{
    auto self = shared_from_this();
    for (;;) {
        while (!outbox_.empty() && state_ != state::closed) {
            auto [ec, n] =
                co_await asio::async_write(socket_, asio::buffer(outbox_.front()), use_nothrow);
            if (ec) {
                finish_close("write failed: " + ec.message());
                co_return;
            }
            outbox_.pop_front();
        }
        if (state_ == state::closing) {
            finish_close(close_reason_);  // the final `error` message is out
            co_return;
        }
        if (state_ == state::closed) co_return;
        writer_wake_.expires_at(clock::time_point::max());
        co_await writer_wake_.async_wait(use_nothrow);
    }
}

void link_connection::send_reply(std::uint64_t id, proto::reply_body body)
{
    if (state_ != state::ready) return;
    std::string line = proto::encode(proto::reply{id, std::move(body)});
    if (line.size() - 1 > opt_.limits.max_line_bytes) {
        log("reply " + std::to_string(id) + " is too large; sending an error instead");
        line = proto::encode(error_reply(id, "too_large", "the reply exceeds max_line_bytes"));
    }
    enqueue(std::move(line));
}

bool link_connection::send_event(const proto::event& e)
{
    if (state_ != state::ready) return false;
    std::string line = proto::encode(proto::to_message(e));
    if (line.size() - 1 > opt_.limits.max_line_bytes) {
        log("dropping a " + std::string(proto::type_name(proto::to_message(e))) + " event of " +
            std::to_string(line.size()) + " bytes: exceeds max_line_bytes");
        return false;
    }
    return enqueue(std::move(line));
}

// ------------------------------------------------------------------ requests

asio::awaitable<proto::reply> link_connection::request(proto::request req,
                                                       std::optional<millis> timeout)
{
    return do_request(std::move(req), timeout);
}

asio::awaitable<proto::reply> link_connection::do_request(proto::request req,
                                                          std::optional<millis> timeout)
{
    auto self = shared_from_this();
    const std::uint64_t id = next_id_++;
    proto::set_request_id(req, id);
    if (state_ != state::ready)
        co_return error_reply(id, "not_connected", "the link is not connected");
    std::string line = proto::encode(proto::to_message(req));
    if (line.size() - 1 > opt_.limits.max_line_bytes)
        co_return error_reply(id, "too_large", "the request exceeds max_line_bytes");

    auto waiting = std::make_shared<pending_request>(socket_.get_executor());
    pending_.emplace(id, waiting);
    if (!enqueue(std::move(line))) {
        pending_.erase(id);
        if (waiting->result) co_return *waiting->result;
        co_return error_reply(id, "closed", "the link closed before the request was sent");
    }
    const millis limit = timeout.value_or(opt_.limits.request_timeout);
    waiting->timer.expires_after(limit);
    co_await waiting->timer.async_wait(use_nothrow);
    if (waiting->result) co_return std::move(*waiting->result);
    pending_.erase(id);
    co_return error_reply(
        id, "timeout", "no reply within " + std::to_string(limit.count()) + " ms");
}

asio::awaitable<void> link_connection::request_to_callback(proto::request req,
                                                           std::function<void(proto::reply)> done,
                                                           std::optional<millis> timeout)
{
    proto::reply rep = co_await do_request(std::move(req), timeout);
    done(std::move(rep));
}

void link_connection::request(proto::request req,
                              std::function<void(proto::reply)> done,
                              std::optional<millis> timeout)
{
    asio::co_spawn(socket_.get_executor(),
                   request_to_callback(std::move(req), std::move(done), timeout),
                   util::log_exception_to<logger>{opt_.log, "link: unexpected exception: "});
}

// ---------------------------------------------------------------- heartbeat

asio::awaitable<void> link_connection::heartbeat()
{
    auto self = shared_from_this();
    const auto interval = opt_.limits.heartbeat_interval;
    const auto timeout = opt_.limits.heartbeat_timeout;
    while (state_ == state::handshaking || state_ == state::ready) {
        const auto now = clock::now();
        // Handshake: a fixed deadline from the connect (a peer trickling
        // bytes does not extend it). After it: silence for heartbeat_timeout.
        const bool handshaking = state_ == state::handshaking;
        const auto deadline =
            handshaking ? started_at_ + opt_.limits.handshake_timeout : last_received_ + timeout;
        if (now >= deadline) {
            if (handshaking) handshake_failure_ = "timeout";
            finish_close(handshaking
                             ? "not authenticated within " +
                                   std::to_string(opt_.limits.handshake_timeout.count()) + " ms"
                             : "heartbeat timeout: nothing received for " +
                                   std::to_string(timeout.count()) + " ms");
            co_return;
        }
        auto wake_at = deadline;
        if (state_ == state::ready) {
            if (now >= last_ping_ + interval) {
                enqueue(proto::encode(proto::ping{}));
                last_ping_ = now;
            }
            wake_at = std::min(wake_at, last_ping_ + interval);
        }
        heartbeat_timer_.expires_at(wake_at);
        co_await heartbeat_timer_.async_wait(use_nothrow);
    }
}

// ------------------------------------------------------------------ closing

void link_connection::protocol_error(std::string code, std::string text)
{
    if (state_ != state::handshaking && state_ != state::ready) return;
    text = proto::printable_excerpt(text, max_error_text);
    log("protocol error (" + code + "): " + text);
    // Tell the peer why, then close once that line is written; the linger
    // timer bounds the wait for a peer that does not read.
    std::string line = proto::encode(proto::error_message{proto::error_info{code, text}});
    outbox_.push_back(std::move(line));
    writer_wake_.cancel();
    state_ = state::closing;
    close_reason_ = "protocol error (" + code + "): " + text;
    linger_timer_.expires_after(std::min(opt_.limits.request_timeout, millis(1000)));
    linger_timer_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec) self->finish_close(self->close_reason_);
    });
}

void link_connection::close(std::string reason)
{
    finish_close(std::move(reason));
}

void link_connection::finish_close(std::string reason)
{
    if (state_ == state::closed) return;
    state_ = state::closed;
    log("closed: " + reason);
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    writer_wake_.cancel();
    heartbeat_timer_.cancel();
    linger_timer_.cancel();
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, waiting] : pending) {
        waiting->result = error_reply(id, "closed", "the link closed: " + reason);
        waiting->timer.cancel();
    }
    // on_closed runs from the io_context, never inside the caller's stack (a
    // handler may call close()); the handlers are dropped afterwards so the
    // owners they capture are released.
    asio::post(socket_.get_executor(), [self = shared_from_this(), why = std::move(reason)] {
        auto on_closed = std::move(self->handlers_.on_closed);
        self->handlers_ = {};
        if (on_closed) on_closed(why);
    });
}

// ------------------------------------------------------------------ responder

struct responder::slot {
    std::weak_ptr<link_connection> conn;
    std::uint64_t id = 0;
    bool answered = false;

    void answer(proto::reply_body body)
    {
        if (answered) return;
        answered = true;
        if (auto c = conn.lock()) c->send_reply(id, std::move(body));
    }
    ~slot()
    {
        if (!answered)
            answer(proto::error_info{"internal", "the request was dropped without a reply"});
    }
};

responder::responder(std::weak_ptr<link_connection> conn, std::uint64_t id)
    : slot_(std::make_shared<slot>())
{
    slot_->conn = std::move(conn);
    slot_->id = id;
}

void responder::reply(proto::reply_body body) const
{
    slot_->answer(std::move(body));
}

void responder::fail(std::string code, std::string message) const
{
    slot_->answer(proto::error_info{std::move(code), std::move(message)});
}

std::uint64_t responder::id() const
{
    return slot_->id;
}

bool responder::answered() const
{
    return slot_->answered;
}

}  // namespace ovs::link
