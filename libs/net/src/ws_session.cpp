// The WebSocket session: Beast does the handshake, the reading, control
// frames and the close handshake; our data frames (encoded once per event,
// ws_frame.hpp) are written to the socket by us, under the write_gate of
// frame_stream.hpp. A send() only queues the shared frame and puts the
// session on the server's flush list; one posted flush per burst then
// gives each session one gathered, non-blocking write of everything it has
// queued. So a delivery costs a pointer in a queue and its share of one
// sendmsg: no timer, no completion handler, no allocation, no copy. Only a
// peer whose socket is full makes us wait (for room to write) with an
// asynchronous wait. Callback style throughout (one style per session).

#include "frame_stream.hpp"
#include "server_core.hpp"

#include <ovs/log/log.hpp>
#include <ovs/net/ws_frame.hpp>

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <array>

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

// Frames per gathered write, and bytes past the first frame: a long backlog
// goes out in several writes rather than one huge one.
constexpr std::size_t max_frames_per_write = 64;
constexpr std::size_t max_bytes_per_write = 256 * 1024;

class beast_ws_session final : public ws_session {
public:
    beast_ws_session(std::shared_ptr<server::core> core,
                     beast::tcp_stream stream,
                     peer_info peer,
                     std::unique_ptr<ws_handler> handler)
        : core_(std::move(core)),
          ws_(std::move(stream), &gate_),
          handler_(std::move(handler)),
          peer_(std::move(peer))
    {
        gate_.on_free = [this] { flush(); };
    }

    void start(request req)
    {
        ws_.next_layer().set_owner(weak_from_this());
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
        // Beast writes control frames only (its fixed header buffer); its
        // data write buffer is never needed.
        ws_.write_buffer_bytes(8);
        error_code ignored;
        auto& socket = beast::get_lowest_layer(ws_).socket();
        socket_ = &socket;
        if (o.socket_send_buffer > 0) {
            socket.set_option(asio::socket_base::send_buffer_size(o.socket_send_buffer), ignored);
        }
        // Our writes are plain non-blocking sends: "would block" comes back
        // instead of waiting (Beast's asynchronous operations are unaffected).
        socket.non_blocking(true, ignored);
        ws_.async_accept(req, beast::bind_front_handler(&beast_ws_session::on_accept, self()));
    }

    send_result send(const frame& f) override
    {
        if (phase_ == phase::closing || phase_ == phase::done || close_ || dropped_ ||
            gate_.beast_closing) {
            return send_result::closed;
        }
        if (queue_.size() - head_ >= core_->options.ws.send_queue_messages) {
            ++core_->status.stats.ws_dropped_slow;
            end_why_ = ws_end::dropped;
            drop();
            return send_result::overflow;
        }
        queue_.push_back(f);
        request_flush();
        return send_result::queued;
    }

    void close(std::uint16_t code, std::string_view reason) override
    {
        if (phase_ == phase::done || close_ || dropped_) return;
        // A close reason is at most 123 bytes on the wire.
        reason = reason.substr(0, 123);
        close_.emplace(code);
        close_->reason.assign(reason.data(), reason.size());
        request_flush();
    }

    // The pending operation (handshake or read) fails at once and ends the
    // session from its completion, never from inside this call: a caller
    // walking a list of sessions must not see the list change under it.
    void drop() override
    {
        if (phase_ == phase::done || dropped_) return;
        dropped_ = true;
        if (!end_why_) end_why_ = ws_end::dropped;
        release_queue();
        error_code ignored;
        auto& socket = beast::get_lowest_layer(ws_).socket();
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
        ws_.next_layer().fail_waiting();
    }

    // For flush_websockets: what flush() reaches through pointers, asked
    // for ahead of time.
    void prefetch_targets() const
    {
        __builtin_prefetch(socket_);
        if (head_ < queue_.size()) __builtin_prefetch(queue_.data() + head_);
    }

    bool is_open() const override { return phase_ == phase::open && !close_ && !dropped_; }
    std::size_t queued() const override { return queue_.size() - head_; }
    const peer_info& peer() const override { return peer_; }

    // Writes what is queued (server::core's flush list calls this once per
    // burst): gathered non-blocking sends until the queue is empty or the
    // socket is full, then the close handshake if one is due.
    void flush()
    {
        flush_requested_ = false;
        if (phase_ != phase::open || dropped_) return;
        // Beast is writing (its end calls us), or we wait for room (so does
        // the wait's end).
        if (gate_.held == write_gate::holder::control || waiting_for_room_) return;
        while (head_ < queue_.size()) {
            // Beast is closing: the frame under way is finished (above all
            // for the close frame waiting for it), the rest is not sent.
            if (gate_.beast_closing && cursor_.offset == 0) {
                for (std::size_t i = head_; i < queue_.size(); ++i) queue_[i].reset();
                head_ = queue_.size();
                break;
            }
            // A write of Beast's (a pong) waits for our partial frame: finish
            // that frame alone, then let it go, rather than after the backlog.
            if (gate_.waiting && cursor_.offset == 0) {
                ws_.next_layer().release_data();
                return;  // its end calls flush() again
            }
            const std::size_t frames_now = gate_.waiting ? 1 : max_frames_per_write;
            std::array<std::size_t, max_frames_per_write> sizes;
            const std::size_t count = std::min(queue_.size() - head_, sizes.size());
            for (std::size_t i = 0; i < count; ++i) sizes[i] = queue_[head_ + i]->wire().size();
            const std::span<const std::size_t> queued_sizes(sizes.data(), count);
            const auto batch = plan_write(queued_sizes, cursor_, frames_now, max_bytes_per_write);
            std::array<asio::const_buffer, max_frames_per_write> buffers;
            for (std::size_t i = 0; i < batch.frames; ++i) {
                auto wire = queue_[head_ + i]->wire();
                if (i == 0) wire.remove_prefix(cursor_.offset);
                buffers[i] = asio::buffer(wire.data(), wire.size());
            }
            error_code ec;
            const std::size_t written = socket_->write_some(
                std::span<const asio::const_buffer>(buffers.data(), batch.frames), ec);
            const bool full = ec == asio::error::would_block || ec == asio::error::try_again;
            if (ec && !full) {
                if (!quiet_error(ec)) {
                    log::debug(core_->options.service + ": ws write to " + peer_.address + ": " +
                               ec.message());
                }
                if (!end_why_) end_why_ = ws_end::failed;
                drop();
                return;
            }
            const auto progress = advance(queued_sizes, cursor_, full ? 0 : written);
            for (std::size_t i = 0; i < progress.frames_done; ++i) queue_[head_ + i].reset();
            head_ += progress.frames_done;
            cursor_ = progress.at;
            // Mid-frame, the socket is ours alone (Beast's writes wait).
            gate_.held = cursor_.offset > 0 ? write_gate::holder::data : write_gate::holder::none;
            if (full || written < batch.bytes) {
                wait_for_room();
                return;
            }
        }
        release_queue();
        if (gate_.waiting) {
            ws_.next_layer().release_data();
            return;
        }
        if (close_ && !close_sent_ && !gate_.beast_closing) {
            phase_ = phase::closing;
            close_sent_ = true;
            ws_.async_close(*close_,
                            beast::bind_front_handler(&beast_ws_session::on_close_sent, self()));
        }
    }

private:
    enum class phase { handshake, open, closing, done };

    std::shared_ptr<beast_ws_session> self()
    {
        return std::static_pointer_cast<beast_ws_session>(shared_from_this());
    }

    // Once per burst: the session goes on the server's list, flushed from
    // one posted handler (several events of one burst: one write).
    void request_flush()
    {
        if (flush_requested_ || phase_ != phase::open) return;
        flush_requested_ = true;
        core_->flush_websockets_later(self());
    }

    // The socket is full (a peer that reads slowly, or not at all: its
    // queue then fills and it is dropped).
    void wait_for_room()
    {
        waiting_for_room_ = true;
        beast::get_lowest_layer(ws_).socket().async_wait(
            tcp::socket::wait_write, beast::bind_front_handler(&beast_ws_session::on_room, self()));
    }

    void on_room(error_code ec)
    {
        waiting_for_room_ = false;
        if (phase_ == phase::done || dropped_) return;
        if (ec) {
            if (!end_why_) end_why_ = ws_end::failed;
            drop();
            return;
        }
        flush();
    }

    // Once everything is out. The vector keeps its (small) capacity: the
    // next event must not cost an allocation per viewer.
    void release_queue()
    {
        if (head_ < queue_.size() && !dropped_) return;
        queue_.clear();
        head_ = 0;
        cursor_ = {};
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
        if (head_ < queue_.size() || close_) request_flush();
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
        // Browsers send a command now and then: an idle viewer keeps no
        // read buffer (Beast's own frame buffer receives the bytes first).
        buffer_.shrink_to_fit();
        do_read();
    }

    // The close handshake is over (the peer answered, or it failed).
    void on_close_sent(error_code ec)
    {
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
        head_ = 0;
        if (registered_) {
            registered_ = false;
            core_->websockets.erase(slot_);
            --core_->status.stats.ws_sessions;
        }
        error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
        ws_.next_layer().fail_waiting();
        handler_->on_close(*this, end_why_.value_or(ws_end::failed));
        core_->maybe_drained();
    }

    // What a delivery touches comes first, together (a fan-out finds every
    // session cold in the cache; see flush_websockets).
    phase phase_ = phase::handshake;
    bool flush_requested_ = false;
    bool waiting_for_room_ = false;
    bool close_sent_ = false;
    bool dropped_ = false;
    bool registered_ = false;
    // Frames not yet wholly on the wire: [head_, size()); the front one from
    // cursor_. A vector, not a deque: an empty one holds no memory.
    std::vector<frame> queue_;
    std::size_t head_ = 0;
    write_cursor cursor_;
    // Inside Beast's stream (which lives as long as we do), found once:
    // reaching it through the layers costs two cache misses per delivery.
    tcp::socket* socket_ = nullptr;
    std::shared_ptr<server::core> core_;
    websocket::stream<frame_stream> ws_;
    write_gate gate_;
    std::unique_ptr<ws_handler> handler_;
    peer_info peer_;
    beast::flat_buffer buffer_;
    std::list<std::weak_ptr<ws_session>>::iterator slot_;
    std::optional<websocket::close_reason> close_;
    std::optional<ws_end> end_why_;
};

}  // namespace

void server::core::flush_websockets_later(std::shared_ptr<ws_session> session)
{
    to_flush.push_back(std::move(session));
    if (flush_posted) return;
    flush_posted = true;
    asio::post(ex, [self = shared_from_this()] { self->flush_websockets(); });
}

void server::core::flush_websockets()
{
    flush_posted = false;
    // A flush may queue more (a handler's reply): those go on the next round.
    auto batch = std::move(to_flush);
    to_flush.clear();
    // A fan-out walks thousands of sessions, each cold in the cache:
    // fetching a few ahead overlaps those misses instead of paying them
    // one after another.
    // Two steps: the session's own lines, then (once those have arrived)
    // what it points to.
    constexpr std::size_t ahead = 6;
    constexpr std::size_t then = 3;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (i + ahead < batch.size()) {
            const auto* next = reinterpret_cast<const char*>(batch[i + ahead].get());
            __builtin_prefetch(next);
            __builtin_prefetch(next + 64);
        }
        if (i + then < batch.size()) {
            static_cast<const beast_ws_session&>(*batch[i + then]).prefetch_targets();
        }
        static_cast<beast_ws_session&>(*batch[i]).flush();
    }
    // Keep the list's memory for the next burst.
    batch.clear();
    if (to_flush.empty()) to_flush.swap(batch);
}

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
