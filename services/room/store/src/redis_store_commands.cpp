// The Redis store's room_store calls (see redis_store.cpp for the shell's
// other half): each checks what it can locally, runs its Lua script through
// run(), and turns the reply into the caller's answer. The events a script
// makes reach the viewers through the mirror (absorb), not from here.

#include "redis_store_parts.hpp"

#include <utility>

namespace ovs::room {

using namespace std::chrono_literals;
using namespace store_detail;
using store::script_reply;
using store::store_event;

// ---- browser side --------------------------------------------------------------

void redis_store::join(conn_id c,
                       const std::string& room,
                       time_point now,
                       done_fn<std::optional<refusal>> done)
{
    if (c == 0) return done(refusal::not_joined);
    const auto it = room_by_id_.find(room);
    if (it == room_by_id_.end()) return done(refusal::unknown_room);
    const std::size_t ri = it->second;
    auto& rt = *rooms_[ri];
    if (const auto m = members_.find(c); m != members_.end() && m->second == ri) {
        return done(std::nullopt);
    }
    const auto viewers = snapshot(room)->viewers;
    if (viewers >= cfg_.max_viewers_per_room) return done(refusal::room_full);
    if (const auto m = members_.find(c); m != members_.end()) {
        rooms_[m->second]->presence.remove(now);
        members_.erase(m);
    }
    members_[c] = ri;
    rt.presence.add(now);
    const auto hold = hold_room(c);
    if (!hold) return done(std::nullopt);
    // A holder that comes back to its room keeps its seat; one that joins
    // another room gives it up (a holder lives in its seat's room).
    run(*hold,
        script_of(store::lua::rejoin),
        now,
        {holder(c), *hold == ri ? "back" : "moved"},
        [done = std::move(done)](std::optional<script_reply>) { done(std::nullopt); });
}

void redis_store::leave(conn_id c, time_point now, done_void done)
{
    const auto m = members_.find(c);
    if (m == members_.end()) return done ? done() : void();
    rooms_[m->second]->presence.remove(now);
    members_.erase(m);
    const auto hold = hold_room(c);
    if (!hold) return done ? done() : void();
    run(*hold,
        script_of(store::lua::depart),
        now,
        {holder(c)},
        [weak = weak_from_this(), c, ri = *hold, done = std::move(done)](
            std::optional<script_reply> r) {
            auto self = weak.lock();
            if (self && !r) self->unsent_departs_.emplace_back(c, ri);
            if (done) done();
        });
}

std::optional<std::size_t> redis_store::hold_room(conn_id c) const
{
    // Where the mirror shows it holding, or where a claim or resume of it is
    // still on its way (it is ahead of this call on the same connection).
    const auto me = holder(c);
    for (std::size_t ri = 0; ri < rooms_.size(); ++ri) {
        for (const auto& s : rooms_[ri]->mirror.seats()) {
            if (s.holder == me) return ri;
        }
    }
    if (const auto it = inflight_.find(c); it != inflight_.end()) return it->second.first;
    return std::nullopt;
}

void redis_store::begin_hold_op(conn_id c, std::size_t ri)
{
    auto& entry = inflight_[c];
    entry.first = ri;
    ++entry.second;
}

void redis_store::end_hold_op(conn_id c)
{
    const auto it = inflight_.find(c);
    if (it != inflight_.end() && --it->second.second == 0) inflight_.erase(it);
}

result<std::size_t> redis_store::seat_command_room(conn_id c, unsigned seat) const
{
    const auto m = members_.find(c);
    if (m == members_.end()) return refusal::not_joined;
    if (seat >= rooms_[m->second]->def.seats) return refusal::bad_seat;
    if (!available()) return refusal::store_unavailable;
    return m->second;
}

claim_granted redis_store::granted(
    std::size_t ri, unsigned seat, std::string token, const script_reply& r, time_point now) const
{
    const auto lease = result_number(r, "lease");
    return claim_granted{seat,
                         rooms_[ri]->def.stream_prefix + std::to_string(seat),
                         std::move(token),
                         lease ? from_ms(*lease) : now + cfg_.lease};
}

void redis_store::claim(conn_id c,
                        unsigned seat,
                        time_point now,
                        done_fn<result<claim_granted>> done)
{
    const auto room = seat_command_room(c, seat);
    if (const auto* why = std::get_if<refusal>(&room)) return done(*why);
    const std::size_t ri = std::get<std::size_t>(room);
    // A token refused with the seat was never handed out: the next claim
    // uses it (so a refusal costs no token, as in the in-memory model).
    std::string token = std::exchange(spare_token_, {});
    if (token.empty()) token = tokens_();
    if (token.empty())
        throw std::runtime_error("redis_store: the token source returned an empty token");
    auto hash = ovs::room::token_hash(token);
    begin_hold_op(c, ri);
    run(ri,
        script_of(store::lua::claim),
        now,
        {std::to_string(seat), holder(c), std::move(hash)},
        [weak = weak_from_this(),
         c,
         ri,
         seat,
         token = std::move(token),
         now,
         done = std::move(done)](std::optional<script_reply> r) mutable {
            auto self = weak.lock();
            if (self) self->end_hold_op(c);
            // No answer: Redis may have stored the hash; the token is spent.
            if (!self || !r) return done(refusal::store_unavailable);
            if (const auto why = refused(*r)) {
                if (self->spare_token_.empty()) self->spare_token_ = std::move(token);
                return done(*why);
            }
            done(self->granted(ri, seat, std::move(token), *r, now));
        });
}

void redis_store::release(conn_id c,
                          unsigned seat,
                          time_point now,
                          done_fn<std::optional<refusal>> done)
{
    const auto room = seat_command_room(c, seat);
    if (const auto* why = std::get_if<refusal>(&room)) return done(*why);
    const std::size_t ri = std::get<std::size_t>(room);
    run(ri,
        script_of(store::lua::release),
        now,
        {std::to_string(seat), holder(c)},
        [weak = weak_from_this(), done = std::move(done)](std::optional<script_reply> r) {
            auto self = weak.lock();
            if (!self || !r) return done(refusal::store_unavailable);
            if (const auto why = refused(*r)) return done(*why);
            done(std::nullopt);
        });
}

void redis_store::resume(conn_id c,
                         unsigned seat,
                         const std::string& token,
                         time_point now,
                         done_fn<result<claim_granted>> done)
{
    const auto room = seat_command_room(c, seat);
    if (const auto* why = std::get_if<refusal>(&room)) return done(*why);
    const std::size_t ri = std::get<std::size_t>(room);
    begin_hold_op(c, ri);
    run(ri,
        script_of(store::lua::resume),
        now,
        {std::to_string(seat), holder(c), ovs::room::token_hash(token)},
        [weak = weak_from_this(), c, ri, seat, token, now, done = std::move(done)](
            std::optional<script_reply> r) mutable {
            auto self = weak.lock();
            if (self) self->end_hold_op(c);
            if (!self || !r) return done(refusal::store_unavailable);
            if (const auto why = refused(*r)) return done(*why);
            done(self->granted(ri, seat, std::move(token), *r, now));
        });
}

// ---- gateway side ---------------------------------------------------------------

std::optional<std::pair<std::size_t, unsigned>> redis_store::seat_of_stream(
    const std::string& s) const
{
    for (std::size_t ri = 0; ri < rooms_.size(); ++ri) {
        const auto& def = rooms_[ri]->def;
        if (s.size() <= def.stream_prefix.size() ||
            s.compare(0, def.stream_prefix.size(), def.stream_prefix) != 0) {
            continue;
        }
        const std::string digits = s.substr(def.stream_prefix.size());
        if (digits.find_first_not_of("0123456789") != std::string::npos ||
            (digits.size() > 1 && digits[0] == '0') || digits.size() > 6) {
            continue;
        }
        const auto index = static_cast<unsigned>(std::stoul(digits));
        if (index < def.seats) return std::make_pair(ri, index);
    }
    return std::nullopt;
}

void redis_store::stream_up(const std::string& stream,
                            const stream_info& info,
                            time_point now,
                            done_void done)
{
    const auto where = seat_of_stream(stream);
    if (!where || !available()) {
        if (where) log("stream_up " + stream + " not recorded: Redis unavailable");
        return done ? done() : void();
    }
    run(where->first,
        script_of(store::lua::stream),
        now,
        {"up", std::to_string(where->second), store::encode_info(info).dump()},
        [done = std::move(done)](std::optional<script_reply>) {
            if (done) done();
        });
}

void redis_store::stream_down(const std::string& stream, time_point now, done_void done)
{
    const auto where = seat_of_stream(stream);
    if (!where || !available()) {
        if (where) log("stream_down " + stream + " not recorded: Redis unavailable");
        return done ? done() : void();
    }
    run(where->first,
        script_of(store::lua::stream),
        now,
        {"down", std::to_string(where->second)},
        [done = std::move(done)](std::optional<script_reply>) {
            if (done) done();
        });
}

void redis_store::streams_snapshot(const std::map<std::string, stream_info>& streams,
                                   time_point now,
                                   done_void done)
{
    if (!available()) {
        log("streams snapshot not recorded: Redis unavailable");
        return done ? done() : void();
    }
    std::vector<store::json> listed(rooms_.size(), store::json::object());
    for (const auto& [name, info] : streams) {
        if (const auto where = seat_of_stream(name)) {
            listed[where->first][std::to_string(where->second)] = store::encode_info(info);
        }
    }
    auto part = countdown(rooms_.size(), std::move(done));
    for (std::size_t ri = 0; ri < rooms_.size(); ++ri) {
        run(ri,
            script_of(store::lua::stream),
            now,
            {"all", listed[ri].dump()},
            [part](std::optional<script_reply>) { part(); });
    }
}

void redis_store::check_admission(const std::string& stream,
                                  const std::string& token,
                                  time_point now,
                                  done_fn<admission> done)
{
    const auto where = seat_of_stream(stream);
    if (!where) return done(admission{false, refusal::unknown_stream});
    if (cfg_.mode == config::admission_mode::open) {
        // Publishing is claiming there: a locked seat takes no new stream.
        // Read from the mirror, so open mode keeps admitting while Redis is
        // away (a lock made elsewhere counts once its event arrived).
        const auto& seat = rooms_[where->first]->mirror.seats()[where->second];
        if (seat.locked && seat.state != seat_state::live) {
            return done(admission{false, refusal::seat_locked});
        }
        return done(admission{true, std::nullopt});
    }
    if (!available()) return done(admission{false, refusal::store_unavailable});
    run(where->first,
        script_of(store::lua::admission),
        now,
        {std::to_string(where->second), ovs::room::token_hash(token)},
        [done = std::move(done)](std::optional<script_reply> r) {
            if (!r) return done(admission{false, refusal::store_unavailable});
            const auto it = r->result.find("allowed");
            if (it != r->result.end() && it->is_boolean() && it->get<bool>()) {
                return done(admission{true, std::nullopt});
            }
            const auto reason = r->result.find("reason");
            const auto named = reason != r->result.end() && reason->is_string()
                                   ? refusal_named(reason->get<std::string>())
                                   : std::nullopt;
            done(admission{false, named.value_or(refusal::no_claim)});
        });
}

// ---- moderation and per-seat audience ----------------------------------------------

void redis_store::moderate(const std::string& room,
                           std::optional<unsigned> seat,
                           std::vector<std::string> args,
                           time_point now,
                           done_fn<std::optional<refusal>> done)
{
    const auto it = room_by_id_.find(room);
    if (it == room_by_id_.end()) return done(refusal::unknown_room);
    if (seat && *seat >= rooms_[it->second]->def.seats) return done(refusal::bad_seat);
    if (!available()) return done(refusal::store_unavailable);
    run(it->second,
        script_of(store::lua::moderate),
        now,
        std::move(args),
        [done = std::move(done)](std::optional<script_reply> r) {
            done(r ? std::nullopt : std::optional<refusal>(refusal::store_unavailable));
        });
}

void redis_store::moderator_end(const std::string& room,
                                unsigned seat,
                                time_point now,
                                done_fn<std::optional<refusal>> done)
{
    moderate(room, seat, {"end", std::to_string(seat)}, now, std::move(done));
}

void redis_store::set_locked(const std::string& room,
                             std::optional<unsigned> seat,
                             bool locked,
                             time_point now,
                             done_fn<std::optional<refusal>> done)
{
    moderate(room,
             seat,
             {"lock", seat ? std::to_string(*seat) : "all", locked ? "1" : "0"},
             now,
             std::move(done));
}

void redis_store::stream_viewers(const std::map<std::string, std::size_t>& counts,
                                 time_point now,
                                 done_void done)
{
    // One script per room that has a counted stream, in room order (as the
    // in-memory model settles them).
    std::vector<store::json> listed(rooms_.size());
    for (const auto& [name, n] : counts) {
        if (const auto where = seat_of_stream(name)) {
            listed[where->first][std::to_string(where->second)] = n;
        }
    }
    if (!available()) {
        log("stream viewer counts not recorded: Redis unavailable");
        return done ? done() : void();
    }
    const auto rooms = static_cast<std::size_t>(
        std::count_if(listed.begin(), listed.end(), [](const auto& j) { return !j.is_null(); }));
    auto part = countdown(rooms, std::move(done));
    for (std::size_t ri = 0; ri < rooms_.size(); ++ri) {
        if (listed[ri].is_null()) continue;
        run(ri,
            script_of(store::lua::viewers),
            now,
            {listed[ri].dump()},
            [part](std::optional<script_reply>) { part(); });
    }
}

// ---- time ------------------------------------------------------------------------

void redis_store::tick(time_point now, done_void done)
{
    if (!client_->is_up()) return done ? done() : void();
    // Settle every room first, then publish presence (as the in-memory model
    // does); one connection keeps the order.
    std::vector<std::pair<std::size_t, std::size_t>> counts;
    for (std::size_t ri = 0; ri < rooms_.size(); ++ri) {
        if (const auto n = rooms_[ri]->presence.flush(now)) counts.emplace_back(ri, *n);
    }
    auto part = countdown(rooms_.size() + counts.size(), std::move(done));
    for (std::size_t ri = 0; ri < rooms_.size(); ++ri) {
        run(ri, script_of(store::lua::maintain), now, {}, [part](std::optional<script_reply>) {
            part();
        });
    }
    for (const auto& [ri, n] : counts) {
        rooms_[ri]->reported = n;
        run(ri,
            script_of(store::lua::presence),
            now,
            {opt_.replica_id, std::to_string(n)},
            [part](std::optional<script_reply>) { part(); });
    }
}

std::optional<time_point> redis_store::next_deadline() const
{
    std::optional<time_point> first;
    const auto consider = [&](std::optional<time_point> t) {
        if (t && (!first || *t < *first)) first = t;
    };
    for (const auto& rt : rooms_) {
        if (rt->deadline_ms) consider(from_ms(*rt->deadline_ms));
        if (const auto lease = rt->mirror.earliest_lease()) consider(from_ms(*lease));
        consider(rt->presence.due());
    }
    return first;
}

// ---- reading -----------------------------------------------------------------------

outputs redis_store::drain()
{
    return std::exchange(out_, outputs{});
}

std::optional<room_snapshot> redis_store::snapshot(const std::string& room) const
{
    const auto it = room_by_id_.find(room);
    if (it == room_by_id_.end()) return std::nullopt;
    const auto& rt = *rooms_[it->second];
    room_snapshot snap;
    snap.id = rt.def.id;
    snap.title = rt.def.title;
    snap.seq = rt.mirror.seq();
    // The total as last published, corrected by what this replica has not
    // reported yet (so one replica alone sees its current count).
    const auto total = rt.mirror.viewers() + rt.presence.count();
    snap.viewers = total >= rt.reported ? total - rt.reported : 0;
    for (const auto& s : rt.mirror.seats()) snap.seats.push_back(view(it->second, s));
    return snap;
}

std::vector<std::string> redis_store::room_ids() const
{
    std::vector<std::string> ids;
    for (const auto& rt : rooms_) ids.push_back(rt->def.id);
    return ids;
}

std::optional<std::string> redis_store::room_of(conn_id c) const
{
    const auto it = members_.find(c);
    if (it == members_.end()) return std::nullopt;
    return rooms_[it->second]->def.id;
}

std::optional<unsigned> redis_store::seat_of(conn_id c) const
{
    const auto me = holder(c);
    for (const auto& rt : rooms_) {
        for (const auto& s : rt->mirror.seats()) {
            if (s.holder == me) return s.index;
        }
    }
    return std::nullopt;
}

std::size_t redis_store::seats_in_state(seat_state state) const
{
    std::size_t n = 0;
    for (const auto& rt : rooms_) {
        for (const auto& s : rt->mirror.seats()) n += s.state == state ? 1 : 0;
    }
    return n;
}

}  // namespace ovs::room
