#pragma once
// One browser on /ws?room=ID: joins the room when the handshake is done
// (or is refused with an error frame and a close code, proto/websocket.md),
// turns its commands into model inputs, leaves when the connection ends.

#include "frame_gate.hpp"
#include "moderator_sign_in.hpp"
#include "room_context.hpp"
#include "wire.hpp"

#include <ovs/net/ws_session.hpp>

#include <memory>
#include <optional>
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

private:
    void send(net::ws_session& session, std::string text);
    void refuse_join(net::ws_session& session,
                     std::string_view code,
                     std::string_view message,
                     std::uint16_t close_code);
    void release_load();
    // What this viewer's playback edge is chosen by (ome.edges): the page's
    // id, kept across reloads, else this connection.
    std::string viewer_key() const;
    void close_for_policy(net::ws_session& session);
    void sign_in_moderator(net::ws_session& session, const wire::command& cmd);
    std::optional<refusal> moderate(const wire::command& cmd, time_point now);

    std::shared_ptr<room_context> ctx_;
    std::string room_;
    std::string viewer_id_;
    frame_gate gate_;
    conn_id id_ = 0;  // set once joined to the model
    moderator_sign_in moderator_;
    bool member_ = false;
    bool closing_ = false;  // closed for bad frames: later ones are not read
    bool counted_ = true;   // in ctx_->room_load
};

}  // namespace ovs::room
