// The WebSocket session on Beast: after the handshake one read is always
// pending, and at most one write is in flight. send() starts a write itself
// when none is running and each write's completion starts the next, so a
// delivery costs no timer or coroutine wake-up; frames are shared pointers,
// never copied. Callback style throughout (one style per session).

#include "server_core.hpp"

#include <ovs/log/log.hpp>

#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <deque>

namespace ovs::net {

using tcp = asio::ip::tcp;

std::string_view to_string(ws_end e)
{
    switch (e) {
        case ws_end::peer_closed:
            return "peer closed";
        case ws_end::server_closed:
            return "closed";
        case ws_end::message_too_big:
            return "message too big";
        case ws_end::timeout:
            return "timeout";
        case ws_end::dropped:
            return "dropped";
        case ws_end::failed:
            return "failed";
    }
    return "failed";
}

namespace {

bool quiet_error(const error_code& ec)
{
    return ec == asio::error::operation_aborted || ec == websocket::error::closed ||
           ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == beast::error::timeout || ec == asio::error::broken_pipe ||
           ec == asio::error::bad_descriptor;
}

class beast_ws_session final : public ws_session {
public:
    beast_ws_session(std::shared_ptr<server::core> core,
                     beast::tcp_stream stream,
                     peer_info peer,
                     std::unique_ptr<ws_handler> handler)
        : core_(std::move(core)),
          ws_(std::move(stream)),
          handler_(std::move(handler)),
          peer_(std::move(peer))
    {
    }

    void start(request req)
    {
        core_->websockets.push_back(weak_from_this());
        slot_ = std::prev(core_->websockets.end());
        registered_ = true;
        ++core_->status.stats.ws_sessions;

        const auto& o = core_->options.ws;
        ws_.set_option(websocket::stream_base::timeout{
            o.handshake_timeout, o.idle_timeout, /*keep_alive_pings=*/true});
        ws_.set_option(websocket::stream_base::decorator(
            [name = core_->options.server_header,
             security = core_->options.security_headers](websocket::response_type& res) {
                res.set(http::field::server, name);
                if (security) {
                    res.set("X-Content-Type-Options", "nosniff");
                    res.set("Referrer-Policy", "no-referrer");
                }
            }));
        ws_.read_message_max(o.max_message_bytes);
        ws_.auto_fragment(false);
        ws_.write_buffer_bytes(512);
        if (o.socket_send_buffer > 0) {
            error_code ignored;
            beast::get_lowest_layer(ws_).socket().set_option(
                asio::socket_base::send_buffer_size(o.socket_send_buffer), ignored);
        }
        ws_.async_accept(req, beast::bind_front_handler(&beast_ws_session::on_accept, self()));
    }

    send_result send(const frame& f) override
    {
        if (phase_ == phase::closing || phase_ == phase::done || close_ || dropped_) {
            return send_result::closed;
        }
        if (queue_.size() >= core_->options.ws.send_queue_messages) {
            ++core_->status.stats.ws_dropped_slow;
            end_why_ = ws_end::dropped;
            drop();
            return send_result::overflow;
        }
        queue_.push_back(f);
        if (phase_ == phase::open && !writing_) do_write();
        return send_result::queued;
    }

    void close(std::uint16_t code, std::string_view reason) override
    {
        if (phase_ == phase::done || close_ || dropped_) return;
        // A close reason is at most 123 bytes on the wire.
        reason = reason.substr(0, 123);
        close_.emplace(code);
        close_->reason.assign(reason.data(), reason.size());
        if (phase_ == phase::open && !writing_) do_write();
    }

    // The pending operation (handshake or read) fails at once and ends the
    // session from its completion, never from inside this call: a caller
    // walking a list of sessions must not see the list change under it.
    void drop() override
    {
        if (phase_ == phase::done || dropped_) return;
        dropped_ = true;
        if (!end_why_) end_why_ = ws_end::dropped;
        queue_.clear();
        error_code ignored;
        auto& socket = beast::get_lowest_layer(ws_).socket();
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
    }

    bool is_open() const override { return phase_ == phase::open && !close_ && !dropped_; }
    std::size_t queued() const override { return queue_.size(); }
    const peer_info& peer() const override { return peer_; }

private:
    enum class phase { handshake, open, closing, done };

    std::shared_ptr<beast_ws_session> self()
    {
        return std::static_pointer_cast<beast_ws_session>(shared_from_this());
    }

    void on_accept(error_code ec)
    {
        if (phase_ == phase::done) return;
        if (ec || dropped_) {
            if (ec && !quiet_error(ec)) {
                log::debug(core_->options.service + ": ws handshake from " + peer_.address + ": " +
                           ec.message());
            }
            if (!end_why_)
                end_why_ = ec == beast::error::timeout ? ws_end::timeout : ws_end::failed;
            finish();
            return;
        }
        phase_ = phase::open;
        ++core_->status.stats.ws_upgrades;
        ws_.text(true);
        handler_->on_open(*this);
        do_read();
        if (!writing_ && (!queue_.empty() || close_)) do_write();
    }

    void do_read()
    {
        ws_.async_read(buffer_, beast::bind_front_handler(&beast_ws_session::on_read, self()));
    }

    void on_read(error_code ec, std::size_t)
    {
        if (phase_ == phase::done) return;
        // Once our close frame is out, Beast's close operation reads the
        // peer's answer itself and aborts this read; it ends the session.
        if (ec == asio::error::operation_aborted && close_sent_ && !dropped_) return;
        if (ec) {
            if (ec == websocket::error::message_too_big) {
                // Beast has sent the 1009 close frame.
                ++core_->status.stats.ws_too_big;
                end_why_ = ws_end::message_too_big;
            } else if (ec == websocket::error::closed) {
                if (!end_why_) end_why_ = close_sent_ ? ws_end::server_closed : ws_end::peer_closed;
            } else if (ec == beast::error::timeout) {
                end_why_ = ws_end::timeout;
            } else if (!quiet_error(ec)) {
                log::debug(core_->options.service + ": ws read from " + peer_.address + ": " +
                           ec.message());
            }
            finish();
            return;
        }
        if (phase_ == phase::open && !close_ && !dropped_) {
            auto data = buffer_.cdata();
            handler_->on_message(
                *this, std::string_view(static_cast<const char*>(data.data()), data.size()));
        }
        buffer_.consume(buffer_.size());
        do_read();
    }

    void do_write()
    {
        if (!queue_.empty()) {
            writing_ = true;
            ws_.async_write(asio::buffer(*queue_.front()),
                            beast::bind_front_handler(&beast_ws_session::on_write, self()));
            return;
        }
        if (close_ && !close_sent_) {
            writing_ = true;
            phase_ = phase::closing;
            close_sent_ = true;
            ws_.async_close(*close_,
                            beast::bind_front_handler(&beast_ws_session::on_close_sent, self()));
        }
    }

    void on_write(error_code ec, std::size_t)
    {
        writing_ = false;
        if (phase_ == phase::done || dropped_) return;
        if (ec) {
            if (!quiet_error(ec)) {
                log::debug(core_->options.service + ": ws write to " + peer_.address + ": " +
                           ec.message());
            }
            if (!end_why_)
                end_why_ = ec == beast::error::timeout ? ws_end::timeout : ws_end::failed;
            drop();
            return;
        }
        queue_.pop_front();
        do_write();
    }

    // The close handshake is over (the peer answered, or it failed).
    void on_close_sent(error_code ec)
    {
        writing_ = false;
        if (phase_ == phase::done) return;
        if (!end_why_) {
            end_why_ = !ec                           ? ws_end::server_closed
                       : ec == beast::error::timeout ? ws_end::timeout
                                                     : ws_end::failed;
        }
        finish();
    }

    void finish()
    {
        if (phase_ == phase::done) return;
        phase_ = phase::done;
        queue_.clear();
        if (registered_) {
            registered_ = false;
            core_->websockets.erase(slot_);
            --core_->status.stats.ws_sessions;
        }
        error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
        handler_->on_close(*this, end_why_.value_or(ws_end::failed));
        core_->maybe_drained();
    }

    std::shared_ptr<server::core> core_;
    websocket::stream<beast::tcp_stream> ws_;
    std::unique_ptr<ws_handler> handler_;
    peer_info peer_;
    std::deque<frame> queue_;
    beast::flat_buffer buffer_;
    std::list<std::weak_ptr<ws_session>>::iterator slot_;
    bool registered_ = false;
    phase phase_ = phase::handshake;
    bool writing_ = false;
    bool close_sent_ = false;
    bool dropped_ = false;
    std::optional<websocket::close_reason> close_;
    std::optional<ws_end> end_why_;
};

}  // namespace

void start_websocket(const std::shared_ptr<server::core>& core,
                     beast::tcp_stream stream,
                     request req,
                     peer_info peer,
                     std::unique_ptr<ws_handler> handler)
{
    auto session = std::make_shared<beast_ws_session>(
        core, std::move(stream), std::move(peer), std::move(handler));
    session->start(std::move(req));
}

void close_websockets(server::core& core)
{
    // close() may end a session (and erase it from the list) at once.
    std::vector<std::shared_ptr<ws_session>> open;
    open.reserve(core.websockets.size());
    for (auto& weak : core.websockets) {
        if (auto s = weak.lock()) open.push_back(std::move(s));
    }
    for (auto& s : open) {
        s->close(static_cast<std::uint16_t>(websocket::close_code::going_away), "shutting down");
    }
}

}  // namespace ovs::net
