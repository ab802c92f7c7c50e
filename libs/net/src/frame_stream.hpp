#pragma once
// Internal: the stream layer under Beast's websocket::stream on which the
// server writes its own pre-encoded data frames (ws_frame.hpp) while Beast
// keeps the handshake, reading, control frames and the close handshake
// (docs/decisions.md, "Pre-encoded server frames").
//
// Two writers share one socket, so the bytes of one frame must never be
// split by the other's. The write_gate says who holds the socket: nobody,
// our data (a frame only partly written, waiting for room), or a write of
// Beast's (a pong, a keep-alive ping, a close frame, the handshake answer).
// Beast's writes go through async_write_some below: written whole (so no
// frame of ours slips between two parts of one of Beast's), at once when
// the socket is free, else deferred until our partial frame is complete.

#include <ovs/net/net.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace ovs::net {

// A completion handler of Beast's, type-erased (Boost 1.81's
// any_completion_handler recurses when moved from an lvalue). It is called
// from a completion of ours, on the one thread, as Beast expects.
struct erased_write_handler {
    virtual ~erased_write_handler() = default;
    virtual void call(error_code ec, std::size_t n) = 0;
};

template <class Handler>
struct write_handler_of final : erased_write_handler {
    explicit write_handler_of(Handler h) : handler(std::move(h)) {}
    void call(error_code ec, std::size_t n) override { std::move(handler)(ec, n); }
    Handler handler;
};

struct write_gate {
    enum class holder { none, data, control };
    using handler = std::unique_ptr<erased_write_handler>;
    struct deferred {
        std::vector<asio::const_buffer> buffers;
        handler done;
    };

    holder held = holder::none;
    // Beast has written (or waits to write) a close frame: no data frame
    // may follow it (RFC 6455 5.5.1). Beast closes by itself on a message
    // over the limit, a peer's close, or a timeout.
    bool beast_closing = false;
    std::optional<deferred> waiting;  // Beast's write, waiting for our frame
    // Called when a write of Beast's is over (our frames may go again).
    // The session clears it when it goes away.
    std::function<void()> on_free;
};

class frame_stream {
public:
    using executor_type = beast::tcp_stream::executor_type;
    using next_layer_type = beast::tcp_stream;

    // `gate` lives in the session that owns this stream (one cache line
    // with the rest of its state); `owner` keeps that session alive while a
    // write of Beast's is in flight (set_owner, once it is shared).
    frame_stream(beast::tcp_stream next, write_gate* gate) : next_(std::move(next)), gate_(gate) {}
    void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

    executor_type get_executor() noexcept { return next_.get_executor(); }
    next_layer_type& next_layer() noexcept { return next_; }
    const next_layer_type& next_layer() const noexcept { return next_; }

    template <class MutableBufferSequence, class ReadToken>
    auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token)
    {
        return next_.async_read_some(buffers, std::forward<ReadToken>(token));
    }

    // Beast's writes only; our frames go through the socket directly.
    template <class ConstBufferSequence, class WriteToken>
    auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token)
    {
        return asio::async_initiate<WriteToken, void(error_code, std::size_t)>(
            [](auto handler, frame_stream* self, const ConstBufferSequence& b) {
                write_gate::deferred w;
                for (auto it = asio::buffer_sequence_begin(b); it != asio::buffer_sequence_end(b);
                     ++it) {
                    w.buffers.emplace_back(*it);
                }
                w.done = std::make_unique<write_handler_of<decltype(handler)>>(std::move(handler));
                self->control_write(std::move(w));
            },
            token,
            this,
            buffers);
    }

    // Starts Beast's deferred write, if any, now that our frame is whole.
    void release_data()
    {
        gate_->held = write_gate::holder::none;
        if (gate_->waiting) {
            auto w = std::move(*gate_->waiting);
            gate_->waiting.reset();
            start_control(std::move(w));
        }
    }

    // Our socket is gone (dropped): a write of Beast's that waits for it
    // fails now rather than never.
    void fail_waiting()
    {
        if (!gate_->waiting) return;
        auto w = std::move(*gate_->waiting);
        gate_->waiting.reset();
        start_control(std::move(w));  // on a closed socket: completes with an error
    }

private:
    void control_write(write_gate::deferred w)
    {
        // A control frame's first byte is FIN and its opcode: 0x88 for
        // close. (The handshake answer's first byte is 'H', 0x48, which
        // has the same opcode bits: compare the whole byte.)
        if (!w.buffers.empty() && w.buffers.front().size() > 0) {
            const auto first = *static_cast<const unsigned char*>(w.buffers.front().data());
            if (first == 0x88) gate_->beast_closing = true;
        }
        if (gate_->held == write_gate::holder::data) {
            gate_->waiting.emplace(std::move(w));
            return;
        }
        start_control(std::move(w));
    }

    void start_control(write_gate::deferred w)
    {
        gate_->held = write_gate::holder::control;
        auto buffers = std::move(w.buffers);
        // The buffer list moves into the handler with its storage intact.
        const auto* first = buffers.data();
        const auto count = buffers.size();
        asio::async_write(next_.socket(),
                          std::span<const asio::const_buffer>(first, count),
                          [gate = gate_, buffers = std::move(buffers), done = std::move(w.done)](
                              error_code ec, std::size_t n) mutable {
                              gate->held = write_gate::holder::none;
                              done->call(ec, n);
                              if (gate->on_free) gate->on_free();
                          });
    }

    beast::tcp_stream next_;
    write_gate* gate_;
    std::weak_ptr<void> owner_;
};

// Beast's close handshake ends with a teardown of the layer below.
inline void teardown(beast::role_type role, frame_stream& s, error_code& ec)
{
    using websocket::teardown;
    teardown(role, s.next_layer(), ec);
}

template <class TeardownHandler>
void async_teardown(beast::role_type role, frame_stream& s, TeardownHandler&& handler)
{
    using websocket::async_teardown;
    async_teardown(role, s.next_layer(), std::forward<TeardownHandler>(handler));
}

}  // namespace ovs::net
