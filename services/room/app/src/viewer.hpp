#pragma once
// One browser on /ws?room=ID: joins the room when the handshake is done
// (or is refused with an error frame and a close code, proto/websocket.md),
// turns its commands into store inputs, leaves when the connection ends.
//
// The store may answer later (Redis): the connection's inputs go through
// one command_queue, so replies leave in the order the commands came and the
// leave follows whatever is still on its way. What those answers need (the
// connection's id, session, moderator sign-in) lives in `conn`, which
// outlives the viewer: the session may end while an answer is pending.

#include "frame_gate.hpp"
#include "room_context.hpp"

#include <ovs/net/ws_session.hpp>

#include <memory>
#include <string>

namespace ovs::room {

class viewer final : public net::ws_handler {
public:
    // `viewer_id`: the page's own id (?viewer=), empty when it sent none or
    // a malformed one.
    viewer(std::shared_ptr<room_context> ctx, std::string room, std::string viewer_id);
    ~viewer() override;
    viewer(const viewer&) = delete;
    viewer& operator=(const viewer&) = delete;

    void on_open(net::ws_session& session) override;
    void on_message(net::ws_session& session, std::string_view data) override;
    void on_close(net::ws_session& session, net::ws_end why) override;

    // Commands waiting behind one the store has not answered yet; beyond
    // this a command is answered rate_limited at once.
    static constexpr std::size_t max_queued_commands = 64;

    struct conn;  // what outlives the viewer

private:
    void release_load();
    void close_for_policy(net::ws_session& session);

    std::shared_ptr<conn> conn_;
    frame_gate gate_;
    bool closing_ = false;  // closed for bad frames: later ones are not read
    bool counted_ = true;   // in ctx->room_load
};

}  // namespace ovs::room
