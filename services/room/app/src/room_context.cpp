#include "room_context.hpp"

#include "page_policy.hpp"
#include "state_file.hpp"
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
      mode(c.mode),
      rooms(c.rooms),
      store(std::move(s)),
      // The state file is the embedded store's persistence; Redis keeps its own.
      embedded(std::dynamic_pointer_cast<memory_store>(store)),
      tick_timer(ex),
      save_timer(ex)
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
    // A seat that changed is on disk before anyone hears of it (a claim's
    // reply included: replies and events are flushed after this handler), so
    // a SIGKILL never loses a hold a page was told about. The write is
    // skipped when the kept state did not change (a viewer count moved).
    const bool seats_changed =
        !out.kicks.empty() ||
        std::any_of(out.events.begin(), out.events.end(), [](const event& ev) {
            return std::holds_alternative<seat_changed>(ev);
        });
    if (seats_changed) {
        save_state_now();
    } else if (!out.events.empty()) {
        save_state_soon();  // presence only: coalesced
    }
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
    if (!out.reseeded.empty()) reapply_streams(out.reseeded);
    reschedule_tick();
}

void room_context::reapply_streams(const std::vector<std::string>& lost)
{
    std::string names;
    for (const auto& r : lost) names += (names.empty() ? "" : ", ") + r;
    const auto& streams = streams_seen.streams();
    if (!streams || (linked && linked() == 0)) {
        // The next link's greeting brings the streams.
        log::warn("rooms " + names + " were lost by the store; no gateway view to apply yet");
        return;
    }
    log::info("rooms " + names + " were lost by the store; applying the gateway's " +
              std::to_string(streams->size()) + " stream(s) again");
    store->streams_snapshot(*streams, clock::now(), [weak = weak_from_this()] {
        if (auto self = weak.lock()) self->process_outputs();
    });
}

namespace {

// A restart gives restored holders at least this long to come back: every
// page reconnects at once, but with a backoff that may have grown while the
// service was down (web/src/state.js backoffDelay: 0.25 s doubling to 10 s).
constexpr std::chrono::milliseconds restart_grace_floor{15000};
// Coalesces bursts of changes into one write.
constexpr std::chrono::milliseconds save_delay{100};

}  // namespace

void room_context::load_state()
{
    const auto now = clock::now();
    const auto grace = std::max(cfg.disconnect_grace, restart_grace_floor);
    // Holds that could not be restored: seat_holds waits the usual grace
    // (proto/internal.md), so the gateway's sweep never ends a broadcast
    // just because this process started a moment ago.
    const auto unsure_until = now + cfg.disconnect_grace;
    if (!embedded) {
        // A shared store (Redis) keeps the holds itself: they are known as
        // soon as it has loaded the rooms (held_streams() waits for that).
        if (!cfg.state_file.empty()) {
            log::warn("room.state_file is ignored with store: redis (Redis keeps the seats)");
        }
        holds_known_at = now;
        return;
    }
    if (cfg.state_file.empty()) {
        log::warn("room.state_file is not set: a restart of this service ends every broadcast");
        holds_known_at = unsure_until;
        return;
    }
    std::string error;
    const auto text = read_state_file(cfg.state_file, error);
    if (!text) {
        if (error.empty()) {
            log::info("no state file at " + cfg.state_file + ": starting with every seat free");
            holds_known_at = now;
        } else {
            log::error("room state not restored (" + error + "); holders have to claim again");
            holds_known_at = unsure_until;
        }
        return;
    }
    const auto kept = decode_state(*text, now, wall_clock::now());
    if (!kept) {
        log::error("room state file " + cfg.state_file +
                   " is not a state this version wrote; starting with every seat free");
        holds_known_at = unsure_until;
        return;
    }
    embedded->model().restore(*kept, now, grace);
    embedded->model().drain();
    last_saved = encode_state(embedded->model().kept(), now, wall_clock::now());
    holds_known_at = now;
    log::info("restored " + std::to_string(kept->seats.size()) + " seat(s) from " + cfg.state_file);
}

void room_context::save_state_now()
{
    if (cfg.state_file.empty() || !embedded) return;
    save_pending = false;
    save_timer.cancel();
    auto text = encode_state(embedded->model().kept(), clock::now(), wall_clock::now());
    // Deadlines are written as wall-clock times, so the same state gives
    // (nearly always) the same text: an unchanged model (only a viewer count
    // moved) is no write.
    if (text == last_saved) return;
    if (auto error = write_state_file(cfg.state_file, text); !error.empty()) {
        log::error("room state not saved: " + error);
        return;
    }
    last_saved = std::move(text);
}

void room_context::save_state_soon()
{
    if (cfg.state_file.empty() || !embedded || save_pending || stopping) return;
    save_pending = true;
    save_timer.expires_after(save_delay);
    save_timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!self || ec || !self->save_pending) return;
        self->save_state_now();
    });
}

std::optional<std::vector<std::string>> room_context::held_streams() const
{
    if (!holds_known_at || clock::now() < *holds_known_at) return std::nullopt;
    std::vector<std::string> held;
    for (const auto& id : store->room_ids()) {
        const auto snap = store->snapshot(id);
        if (!snap) return std::nullopt;  // a shared store still loading this room
        for (const auto& seat : snap->seats) {
            // Open mode: every stream is welcome; nothing is the room's to end.
            const bool keep =
                seat.holder != 0 || (mode == config::admission_mode::open && on_air(seat.state));
            if (keep) held.push_back(seat.stream);
        }
    }
    return held;
}

std::vector<std::string> room_context::ending_streams() const
{
    std::vector<std::string> names;
    for (const auto& id : store->room_ids()) {
        const auto snap = store->snapshot(id);
        if (!snap) continue;
        for (const auto& seat : snap->seats) {
            if (seat.state == seat_state::ending) names.push_back(seat.stream);
        }
    }
    return names;
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
