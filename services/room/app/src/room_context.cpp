#include "room_context.hpp"

#include "page_policy.hpp"
#include "wire.hpp"

#include <ovs/log/log.hpp>
#include <ovs/net/spawn.hpp>

namespace ovs::room {

room_context::room_context(asio::any_io_executor e, const config::config& c, token_source tokens)
    : ex(std::move(e)),
      cfg(c.room),
      configured_media_origins(media_origins(c.ome)),
      configured_edge_origins(edge_origins(c.ome)),
      rooms(c.rooms),
      model(c.rooms,
            settings{c.mode,
                     c.room.lease,
                     c.room.disconnect_grace,
                     c.room.presence_interval,
                     c.room.limits.max_connections_per_room},
            std::move(tokens)),
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

void room_context::process_outputs()
{
    auto out = model.drain();
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
    reschedule_tick();
}

gauges room_context::current_gauges() const
{
    gauges g;
    g.seats_free = model.seats_in_state(seat_state::free);
    g.seats_reserved = model.seats_in_state(seat_state::reserved);
    g.seats_starting = model.seats_in_state(seat_state::starting);
    g.seats_live = model.seats_in_state(seat_state::live);
    g.seats_failed = model.seats_in_state(seat_state::failed);
    for (const auto& r : rooms) g.viewers_by_room[r.id] = members.count(r.id);
    g.media_reachable = media.reachable.value_or(false);
    return g;
}

void room_context::start_ticking()
{
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
    if (stopping) return;
    auto next = model.next_deadline();
    tick_timer.expires_at(next ? *next : asio::steady_timer::time_point::max());
}

asio::awaitable<void> room_context::tick_loop(std::shared_ptr<room_context> self)
{
    while (!self->stopping) {
        auto [ec] = co_await self->tick_timer.async_wait(use_nothrow);
        if (self->stopping) break;
        if (ec) continue;  // the deadline moved; wait for the new one
        self->model.tick(clock::now());
        self->process_outputs();
    }
}

}  // namespace ovs::room
