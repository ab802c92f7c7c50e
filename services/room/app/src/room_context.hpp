#pragma once
// Internal: the state the room service's parts share (the HTTP routes, the
// viewers, the gateway seam), owned by shared_ptr: the server and every
// connection hold it, so it lives as long as any of them. One thread.

#include "audience.hpp"
#include "gateway_view.hpp"
#include "metrics.hpp"

#include <ovs/config/config.hpp>
#include <ovs/net/net.hpp>
#include <ovs/room/memory_store.hpp>
#include <ovs/room/room_server.hpp>
#include <ovs/room/space.hpp>
#include <ovs/room/store.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ovs::room {

struct room_context : std::enable_shared_from_this<room_context> {
    room_context(asio::any_io_executor ex,
                 const config::config& c,
                 std::shared_ptr<room_store> store);

    asio::any_io_executor ex;
    config::room_service_config cfg;
    // The OME origins the page may dial while the gateway has not sent its
    // templates yet (from the ome: section; page_policy.hpp).
    std::vector<std::string> configured_media_origins;
    // Every configured edge's, in the policy even while out of rotation.
    std::vector<std::string> configured_edge_origins;
    config::admission_mode mode;
    std::vector<config::room_def> rooms;
    // Seats, holds, sequence numbers: in memory, or in Redis (docs/store.md).
    std::shared_ptr<room_store> store;
    // The same store when it is the embedded one (room.state_file keeps its
    // seats across a restart); null with Redis.
    std::shared_ptr<memory_store> embedded;
    asio::steady_timer tick_timer;

    metrics counters;
    media_status media;
    std::optional<endpoint_templates> templates;
    kick_sink kicks;
    link_probe linked;
    // OME's streams as the gateway links last said (applied again after a
    // shared store lost the rooms).
    gateway_view streams_seen;
    bool stopping = false;

    // room.state_file: the kept seats are saved shortly after a change
    // (coalesced) and at stop; what was last written, to skip rewrites.
    asio::steady_timer save_timer;
    bool save_pending = false;
    std::string last_saved;
    // Whether the room knows its holds (seat_holds may be answered): at once
    // when it restored them or had none to restore; without a state file,
    // once holders have had the grace to resume after the start.
    std::optional<time_point> holds_known_at;

    audience members;  // joined connections per room, for fan-out
    // Connections per room, handshakes included (the per-room cap).
    std::unordered_map<std::string, std::size_t> room_load;
    conn_id next_conn = 1;

    const endpoint_templates* templates_or_null() const
    {
        return templates ? &*templates : nullptr;
    }
    bool has_room(const std::string& id) const;

    // After every input to the store (and whenever the store says it has
    // something): its events go out (serialized once, shared by every
    // receiver in the room), its kicks to the gateway, rooms it reloaded get
    // a fresh snapshot per viewer, and the tick timer moves to the next
    // deadline.
    void process_outputs();
    // The snapshot frame for one connection (its own `mine`, and playback
    // from the edge its viewer key picks).
    std::string snapshot_frame(const std::string& room,
                               conn_id id,
                               const std::string& viewer_key) const;
    void broadcast_all(std::string text);
    // The store started rooms again empty: OME's streams, as last heard
    // from the gateway, go back in (while a link is up to vouch for them).
    void reapply_streams(const std::vector<std::string>& lost);
    gauges current_gauges() const;

    // Restart: puts the state file's seats back (before the listener opens).
    void load_state();
    // Writes the state file now (at stop), or soon (after a change).
    void save_state_now();
    void save_state_soon();
    // The streams of held seats (seat_holds), nullopt while not known.
    std::optional<std::vector<std::string>> held_streams() const;
    // The streams of ending seats: kicks the room still wants done.
    std::vector<std::string> ending_streams() const;

    // The model's clock: lease expiries, grace ends, presence flushes.
    void start_ticking();
    void stop_ticking();

private:
    void deliver(const std::string& room, std::string text);
    void resync(const std::string& room);
    void reschedule_tick();
    bool ticking_ = false;  // a tick is on its way through the store
    clock::time_point last_tick_{};
    static asio::awaitable<void> tick_loop(std::shared_ptr<room_context> self);
};

}  // namespace ovs::room
