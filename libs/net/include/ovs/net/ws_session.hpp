#pragma once
// One WebSocket connection as a service sees it: send shared immutable
// frames, close, drop. The server (server.hpp) creates it when a service
// accepts an upgrade and gives it the service's ws_handler.
//
// Lifetime is ownership: a session lives as long as an operation of its own
// is pending. Services keep std::weak_ptr<ws_session> (fan-out lists); a
// session that has ended is simply skipped. Everything runs on the server's
// thread; call these from there only.

#include <ovs/net/http_types.hpp>
#include <ovs/net/ws_frame.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ovs::net {

// A text message, encoded once (header and payload, ws_frame.hpp) and shared
// by every receiver: a queue holds the pointer, never a copy of the bytes.
using frame = std::shared_ptr<const ws_frame>;

inline frame make_frame(std::string_view text)
{
    return std::make_shared<const ws_frame>(text);
}

// Why a session ended, as its handler hears it.
enum class ws_end {
    peer_closed,      // the peer sent a close frame (or closed the socket)
    server_closed,    // close() finished its handshake
    message_too_big,  // a message over the limit: closed with 1009
    timeout,          // handshake, or no sign of life within the idle timeout
    dropped,          // drop(): a send queue overflow, or the service's choice
    failed,           // handshake refused or another I/O error
};

std::string_view to_string(ws_end e);

class ws_session;

// The service's side of one WebSocket, owned by the session.
class ws_handler {
public:
    virtual ~ws_handler() = default;
    // The handshake is done. Keep `session` only as a weak_ptr.
    virtual void on_open(ws_session& session) = 0;
    // One whole message (text or binary), at most the configured size.
    // Not called once the session is closing.
    virtual void on_message(ws_session& session, std::string_view data) = 0;
    // The session ended; called exactly once, also when the handshake failed
    // (then without on_open). Sends are ignored from here on.
    virtual void on_close(ws_session& session, ws_end why) = 0;
};

class ws_session : public std::enable_shared_from_this<ws_session> {
public:
    enum class send_result {
        queued,
        closed,    // closing or ended: nothing sent
        overflow,  // the queue was full: the session has been dropped
    };

    virtual ~ws_session() = default;

    // Queues one text message. A peer whose queue holds the configured maximum
    // is not reading; it is dropped at once rather than buffered for.
    virtual send_result send(const frame& f) = 0;
    // Sends what is queued, then a close frame with `code`; later sends are
    // ignored. `reason` is ours (short, never client input).
    virtual void close(std::uint16_t code, std::string_view reason = {}) = 0;
    // Ends the connection now, without a close frame.
    virtual void drop() = 0;

    // Handshake done and not closing.
    virtual bool is_open() const = 0;
    virtual std::size_t queued() const = 0;
    virtual const peer_info& peer() const = 0;
};

}  // namespace ovs::net
