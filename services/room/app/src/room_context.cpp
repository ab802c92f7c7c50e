#include "room_context.hpp"

#include "page_policy.hpp"
#include "wire.hpp"

#include <ovs/log/log.hpp>
#include <ovs/net/spawn.hpp>

#include <algorithm>

namespace ovs::room {

room_context::room_context(asio::any_io_executor e,
                           const config::config& c,
                           std::shared_ptr<room_store> s)
    : ex(std::move(e)),
      cfg(c.room),
      configured_media_origins(media_origins(c.ome)),
      configured_edge_origins(edge_origins(c.ome)),
      rooms(c.rooms),
      store(std::move(s)),
      tick_timer(ex)
{
}

bool room_context::has_room(const std::string& id) const
{
    for (const auto& r : rooms) {
        if (r.id == id) return true;
    }
    return false;
}

void room_context::deliver(const std::string& room, std::string text)
{
    ++counters.broadcasts;
    auto d = members.broadcast(room, net::make_frame(std::move(text)));
    counters.messages_out += d.queued;
}

void room_context::broadcast_all(std::string text)
{
    ++counters.broadcasts;
    auto d = members.broadcast_all(net::make_frame(std::move(text)));
    counters.messages_out += d.queued;
}

std::string room_context::snapshot_frame(const std::string& room,
                                         conn_id id,
                                         const std::string& viewer_key) const
{
    return wire::snapshot_frame(*store->snapshot(room),
                                media,
                                templates_or_null(),
                                id == 0 ? std::nullopt : store->seat_of(id),
                                viewer_key);
}

void room_context::resync(const std::string& room)
{
    // The store reloaded this room instead of following it event by event
    // (it missed events): every viewer starts again from a snapshot.
    ++counters.resyncs;
    members.for_each(room, [&](conn_id id, const std::string& key, net::ws_session& session) {
        if (session.send(net::make_frame(snapshot_frame(room, id, key))) ==
            net::ws_session::send_result::queued) {
            ++counters.messages_out;
        }
    });
}

void room_context::process_outputs()
{
    auto out = store->drain();
    for (const auto& ev : out.events) {
        if (const auto* seat = std::get_if<seat_changed>(&ev)) {
            deliver(seat->room, wire::seat_frame(*seat));
        } else if (const auto* viewers = std::get_if<viewers_changed>(&ev)) {
            deliver(viewers->room, wire::viewers_frame(*viewers));
        }
    }
    for (const auto& kick : out.kicks) {
        ++counters.kicks;
        log::info("kick stream " + kick.stream + " (" + kick.reason + ")");
        if (kicks) kicks(kick);
    }
    for (const auto& room : out.resyncs) resync(room);
    reschedule_tick();
}

gauges room_context::current_gauges() const
{
    gauges g;
    g.seats_free = store->seats_in_state(seat_state::free);
    g.seats_reserved = store->seats_in_state(seat_state::reserved);
    g.seats_starting = store->seats_in_state(seat_state::starting);
    g.seats_live = store->seats_in_state(seat_state::live);
    g.seats_failed = store->seats_in_state(seat_state::failed);
    g.seats_ending = store->seats_in_state(seat_state::ending);
    g.store_available = store->available();
    g.gateway_links_up = linked ? linked() : 0;
    for (const auto& r : rooms) g.viewers_by_room[r.id] = members.count(r.id);
    g.media_reachable = media.reachable.value_or(false);
    return g;
}

void room_context::start_ticking()
{
    std::weak_ptr<room_context> weak = shared_from_this();
    store->set_wakeup([weak] {
        auto self = weak.lock();
        if (self && !self->stopping) self->process_outputs();
    });
    net::spawn(ex, tick_loop(shared_from_this()), "room tick loop");
    reschedule_tick();
}

void room_context::stop_ticking()
{
    stopping = true;
    tick_timer.cancel();
}

void room_context::reschedule_tick()
{
    if (stopping || ticking_) return;  // the tick's end reschedules
    auto next = store->next_deadline();
    if (!next) {
        tick_timer.expires_at(asio::steady_timer::time_point::max());
        return;
    }
    // A store that cannot act (Redis away) keeps reporting a deadline that
    // has passed: tick at most every 50 ms rather than spin.
    tick_timer.expires_at(std::max(*next, last_tick_ + std::chrono::milliseconds(50)));
}

asio::awaitable<void> room_context::tick_loop(std::shared_ptr<room_context> self)
{
    while (!self->stopping) {
        auto [ec] = co_await self->tick_timer.async_wait(use_nothrow);
        if (self->stopping) break;
        if (ec || self->ticking_) continue;  // the deadline moved; wait for the new one
        self->ticking_ = true;
        self->last_tick_ = clock::now();
        self->tick_timer.expires_at(asio::steady_timer::time_point::max());
        std::weak_ptr<room_context> weak = self;
        self->store->tick(self->last_tick_, [weak] {
            auto ctx = weak.lock();
            if (!ctx) return;
            ctx->ticking_ = false;
            ctx->process_outputs();
        });
    }
}

}  // namespace ovs::room
