#pragma once
// Who receives a room's events: the joined WebSockets of each room, held as
// weak references (a connection that has ended is skipped, never touched).
// Each connection removes itself when it closes; add and remove are O(1).
// No I/O of its own: it hands shared frames to net::ws_session::send, so it
// is tested with fake sessions.

#include <ovs/net/ws_session.hpp>
#include <ovs/room/space.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ovs::room {

class audience {
public:
    // What one broadcast did.
    struct delivery {
        std::size_t queued = 0;   // receivers that took the frame
        std::size_t dropped = 0;  // receivers cut off because their queue was full

        void note(net::ws_session::send_result r)
        {
            if (r == net::ws_session::send_result::queued) ++queued;
            if (r == net::ws_session::send_result::overflow) ++dropped;
        }
    };

    // `viewer_key`: what the viewer's playback edge is chosen by (send_each).
    void add(const std::string& room,
             conn_id id,
             std::weak_ptr<net::ws_session> session,
             std::string viewer_key = {});
    void remove(const std::string& room, conn_id id);
    std::size_t count(const std::string& room) const;

    delivery broadcast(const std::string& room, const net::frame& f);
    delivery broadcast_all(const net::frame& f);
    // Every member of every room its own frame, made from its viewer key
    // (playback templates differ per viewer with OME edges).
    delivery send_each(const std::function<net::frame(const std::string& viewer_key)>& frame_for);
    // Each live member of `room` (for frames that differ per connection: a
    // resync's snapshot carries the member's own seat and edge).
    void for_each(
        const std::string& room,
        const std::function<void(conn_id, const std::string& viewer_key, net::ws_session&)>& fn);

private:
    struct member {
        conn_id id = 0;
        std::weak_ptr<net::ws_session> session;
        std::string viewer_key;
        // The session's address, for prefetching only (never dereferenced:
        // the session may have ended).
        const void* address = nullptr;
    };
    struct room_members {
        std::vector<member> list;
        std::unordered_map<conn_id, std::size_t> slot;  // id -> index in list
    };
    static void send_all(room_members& members, const net::frame& f, delivery& out);

    std::unordered_map<std::string, room_members> rooms_;
};

}  // namespace ovs::room
