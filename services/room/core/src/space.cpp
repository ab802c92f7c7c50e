// The room model's state machine. Every input first settles deadlines that
// have passed (so a command at `now` never sees a lease that is already over),
// then applies its change through change_seat(), which compares the seat's
// public view before and after: an event goes out exactly when the view
// changed, with the room's next sequence number.
//
// Longer than 500 lines: one state machine whose transitions (claims, streams,
// deadlines, moderation) all share the private seat records below; splitting
// it by concern would expose those records to every part.

#include "tokens.hpp"

#include <ovs/room/presence.hpp>
#include <ovs/room/space.hpp>

#include <algorithm>
#include <stdexcept>
#include <unordered_map>
#include <utility>

namespace ovs::room {

namespace {

struct seat_ref {
    std::size_t room = 0;
    unsigned seat = 0;
    bool operator==(const seat_ref&) const = default;
};

struct seat_rec {
    unsigned index = 0;
    std::string stream;
    seat_state state = seat_state::free;
    conn_id holder = 0;
    std::string token_hash;                   // set while held (token_hash())
    std::optional<time_point> lease_expires;  // reserved seats only
    std::optional<time_point> grace_expires;  // held, and the holder's connection is gone
    std::optional<stream_info> info;          // on-air seats only
    std::optional<std::size_t> watching;      // on-air seats only
    bool locked = false;
    bool ended_by_moderator = false;
    bool kicked_by_moderator = false;  // unheld on-air seat: free it as "ended" when it goes down

    bool held() const { return holder != 0; }

    seat_view view() const
    {
        seat_view v;
        v.index = index;
        v.stream = stream;
        v.state = state;
        v.holder = holder;
        v.lease_expires = lease_expires;
        v.info = info;
        v.watching = watching;
        v.locked = locked;
        v.ended_by_moderator = ended_by_moderator;
        return v;
    }

    // Does the hold still stand at `now`, whether or not tick() has run?
    bool hold_valid_at(time_point now) const
    {
        if (!held()) {
            return false;
        }
        if (state == seat_state::reserved && lease_expires && *lease_expires <= now) {
            return false;
        }
        return !(grace_expires && *grace_expires <= now);
    }
};

struct room_rec {
    std::string id;
    std::string title;
    std::uint64_t seq = 0;
    std::vector<seat_rec> seats;
    detail::presence viewers;

    room_rec(const config::room_def& def, std::chrono::milliseconds presence_interval)
        : id(def.id), title(def.title), viewers(presence_interval)
    {
        seats.reserve(def.seats);
        for (unsigned i = 0; i < def.seats; ++i) {
            seat_rec s;
            s.index = i;
            s.stream = def.stream_prefix + std::to_string(i);
            seats.push_back(std::move(s));
        }
    }
};

}  // namespace

struct space::impl_state {
    settings cfg;
    token_source tokens;
    std::vector<room_rec> rooms;
    std::unordered_map<std::string, std::size_t> room_by_id;
    std::unordered_map<std::string, seat_ref> seat_by_stream;
    std::unordered_map<conn_id, std::size_t> member_of;  // joined connections -> room
    // Who holds what, including holders whose connection is gone (grace).
    std::unordered_map<conn_id, seat_ref> holds;
    outputs out;

    seat_rec& at(seat_ref r) { return rooms[r.room].seats[r.seat]; }

    template <class F>
    void change_seat(seat_ref r, F&& apply)
    {
        room_rec& room = rooms[r.room];
        seat_rec& s = room.seats[r.seat];
        const seat_view before = s.view();
        apply(s);
        seat_view after = s.view();
        if (after != before) {
            out.events.emplace_back(seat_changed{room.id, ++room.seq, std::move(after)});
        }
    }

    void take_hold(seat_rec& s, seat_ref r, conn_id c)
    {
        if (s.held()) {
            drop_hold_record(s, r);
        }
        s.holder = c;
        s.grace_expires.reset();
        holds[c] = r;
    }

    void drop_hold_record(const seat_rec& s, seat_ref r)
    {
        const auto it = holds.find(s.holder);
        if (it != holds.end() && it->second == r) {
            holds.erase(it);
        }
    }

    // A held seat lets go. Its stream is always kicked: a live one
    // obviously, and a reserved one because OME may already have admitted the
    // publisher with this token while the stream_up has not reached us; the
    // gateway treats a kick of an absent stream as a no-op. An on-air seat
    // stays `ending` until its stream is gone; a reserved one is free at once.
    void free_held(seat_ref r, const char* reason, bool by_moderator = false)
    {
        seat_rec& s = at(r);
        if (!s.held()) {
            return;
        }
        out.kicks.push_back(kick_stream{s.stream, reason});
        change_seat(r, [&](seat_rec& x) {
            drop_hold_record(x, r);
            x.state = on_air(x.state) ? seat_state::ending : seat_state::free;
            x.holder = 0;
            x.token_hash.clear();
            x.lease_expires.reset();
            x.grace_expires.reset();
            x.info.reset();
            x.watching.reset();
            x.ended_by_moderator = by_moderator;
        });
    }

    void expire_room(std::size_t ri, time_point now)
    {
        for (auto& s : rooms[ri].seats) {
            if (!s.held()) {
                continue;
            }
            const bool lease_over =
                s.state == seat_state::reserved && s.lease_expires && *s.lease_expires <= now;
            const bool grace_over = s.grace_expires && *s.grace_expires <= now;
            if (lease_over && (!grace_over || *s.lease_expires <= *s.grace_expires)) {
                free_held({ri, s.index}, "lease_expired");
            } else if (grace_over) {
                free_held({ri, s.index}, "holder_gone");
            }
        }
    }

    void expire_all(time_point now)
    {
        for (std::size_t ri = 0; ri < rooms.size(); ++ri) {
            expire_room(ri, now);
        }
    }

    void flush_presence(time_point now)
    {
        for (auto& room : rooms) {
            if (const auto n = room.viewers.flush(now)) {
                out.events.emplace_back(viewers_changed{room.id, ++room.seq, *n});
            }
        }
    }

    void apply_up(seat_ref r, const stream_info& info)
    {
        if (at(r).state == seat_state::ending) {
            return;  // the old stream, still in OME while the gateway ends it
        }
        change_seat(r, [&](seat_rec& s) {
            if (!on_air(s.state)) {
                s.ended_by_moderator = false;  // a new broadcast
            }
            s.state = on_air_state(info.outputs);
            s.lease_expires.reset();
            s.info = info;
        });
    }

    // A reserved seat whose holder is still here (no grace over): a stream
    // of it is the publisher the gateway admitted with the holder's token,
    // which it did only while the lease ran. Its stream_up (or the snapshot
    // listing it) may still reach us after the lease's end, before a tick
    // settled it: it is applied before the deadlines are settled, so the
    // broadcast is not kicked as lease_expired.
    bool admitted_while_leased(seat_ref r, time_point now)
    {
        const seat_rec& s = at(r);
        return s.held() && s.state == seat_state::reserved &&
               !(s.grace_expires && *s.grace_expires <= now);
    }

    void apply_down(seat_ref r, time_point now)
    {
        if (at(r).state == seat_state::ending) {
            change_seat(r, [](seat_rec& s) { s.state = seat_state::free; });
            return;
        }
        if (!on_air(at(r).state)) {
            return;
        }
        change_seat(r, [&](seat_rec& s) {
            s.info.reset();
            s.watching.reset();
            if (s.kicked_by_moderator) {
                s.ended_by_moderator = true;
                s.kicked_by_moderator = false;
            }
            if (s.held()) {
                // The encoder may reconnect with the same token.
                s.state = seat_state::reserved;
                s.lease_expires = now + cfg.lease;
            } else {
                s.state = seat_state::free;
            }
        });
    }

    // Leaves the room the connection is in (if any); a held seat enters grace.
    void depart(conn_id c, time_point now)
    {
        const auto it = member_of.find(c);
        if (it == member_of.end()) {
            return;
        }
        rooms[it->second].viewers.remove(now);
        member_of.erase(it);
        if (const auto h = holds.find(c); h != holds.end()) {
            at(h->second).grace_expires = now + cfg.disconnect_grace;
        }
    }

    // Common checks of seat commands: joined, and the seat exists.
    result<seat_ref> locate(conn_id c, unsigned seat) const
    {
        const auto it = member_of.find(c);
        if (it == member_of.end()) {
            return refusal::not_joined;
        }
        if (seat >= rooms[it->second].seats.size()) {
            return refusal::bad_seat;
        }
        return seat_ref{it->second, seat};
    }

    // A seat command's seat, with its room's deadlines settled first (a
    // member's hold is in its room), or why the command cannot name it.
    result<seat_ref> locate_settled(conn_id c, unsigned seat, time_point now)
    {
        auto where = locate(c, seat);
        if (const auto* ref = std::get_if<seat_ref>(&where)) {
            expire_room(ref->room, now);
        }
        return where;
    }

    claim_granted grant(const seat_rec& s, std::string token, time_point now) const
    {
        // A live seat has no lease; report the one a reservation would get.
        return claim_granted{
            s.index, s.stream, std::move(token), s.lease_expires.value_or(now + cfg.lease)};
    }
};

space::space(const std::vector<config::room_def>& rooms, settings s, token_source tokens)
    : state_(std::make_shared<impl_state>())
{
    if (!tokens) {
        throw std::invalid_argument("room::space: no token source");
    }
    auto& st = *state_;
    st.cfg = s;
    st.tokens = std::move(tokens);
    st.rooms.reserve(rooms.size());
    for (const auto& def : rooms) {
        if (!st.room_by_id.emplace(def.id, st.rooms.size()).second) {
            throw std::invalid_argument("room::space: duplicate room id '" + def.id + "'");
        }
        st.rooms.emplace_back(def, s.presence_interval);
        const std::size_t ri = st.rooms.size() - 1;
        for (const auto& seat : st.rooms.back().seats) {
            if (!st.seat_by_stream.emplace(seat.stream, seat_ref{ri, seat.index}).second) {
                throw std::invalid_argument("room::space: stream '" + seat.stream +
                                            "' belongs to two seats");
            }
        }
    }
}

std::optional<refusal> space::join(conn_id c, const std::string& room, time_point now)
{
    auto& st = *state_;
    if (c == 0) {
        return refusal::not_joined;  // 0 means "nobody"; the shell never assigns it
    }
    const auto it = st.room_by_id.find(room);
    if (it == st.room_by_id.end()) {
        return refusal::unknown_room;
    }
    const std::size_t ri = it->second;
    if (const auto m = st.member_of.find(c); m != st.member_of.end()) {
        if (m->second == ri) {
            return std::nullopt;  // already here
        }
    }
    if (st.rooms[ri].viewers.count() >= st.cfg.max_viewers_per_room) {
        return refusal::room_full;
    }
    if (const auto h = st.holds.find(c); h != st.holds.end()) {
        st.expire_room(h->second.room, now);
    }
    st.depart(c, now);  // joining another room moves the connection
    st.member_of[c] = ri;
    st.rooms[ri].viewers.add(now);
    if (const auto h = st.holds.find(c); h != st.holds.end()) {
        if (h->second.room == ri) {
            st.at(h->second).grace_expires.reset();  // back in time: keeps its seat
        } else {
            st.free_held(h->second, "holder_gone");  // a holder lives in its seat's room
        }
    }
    return std::nullopt;
}

void space::leave(conn_id c, time_point now)
{
    auto& st = *state_;
    if (const auto h = st.holds.find(c); h != st.holds.end()) {
        st.expire_room(h->second.room, now);
    }
    st.depart(c, now);
}

result<claim_granted> space::claim(conn_id c, unsigned seat, time_point now)
{
    auto& st = *state_;
    const auto where = st.locate_settled(c, seat, now);
    if (const auto* r = std::get_if<refusal>(&where)) {
        return *r;
    }
    const seat_ref ref = std::get<seat_ref>(where);
    if (st.holds.count(c) != 0) {
        return refusal::already_holding;
    }
    if (st.at(ref).locked) {
        return refusal::seat_locked;
    }
    if (st.at(ref).state == seat_state::ending) {
        return refusal::seat_ending;
    }
    if (st.at(ref).state != seat_state::free) {
        return refusal::seat_taken;
    }
    std::string token = st.tokens();  // may throw: nothing has changed yet
    if (token.empty()) {
        throw std::runtime_error("room::space: the token source returned an empty token");
    }
    auto hash = token_hash(token);
    st.change_seat(ref, [&](seat_rec& s) {
        st.take_hold(s, ref, c);
        s.state = seat_state::reserved;
        s.ended_by_moderator = false;
        s.token_hash = std::move(hash);
        s.lease_expires = now + st.cfg.lease;
    });
    return st.grant(st.at(ref), std::move(token), now);
}

std::optional<refusal> space::release(conn_id c, unsigned seat, time_point now)
{
    auto& st = *state_;
    const auto where = st.locate_settled(c, seat, now);
    if (const auto* r = std::get_if<refusal>(&where)) {
        return *r;
    }
    const seat_ref ref = std::get<seat_ref>(where);
    if (st.at(ref).holder != c) {
        return refusal::not_holder;
    }
    st.free_held(ref, "released");
    return std::nullopt;
}

result<claim_granted> space::resume(conn_id c,
                                    unsigned seat,
                                    const std::string& token,
                                    time_point now)
{
    auto& st = *state_;
    const auto where = st.locate_settled(c, seat, now);
    if (const auto* r = std::get_if<refusal>(&where)) {
        return *r;
    }
    const seat_ref ref = std::get<seat_ref>(where);
    if (const auto h = st.holds.find(c); h != st.holds.end() && !(h->second == ref)) {
        return refusal::already_holding;
    }
    const seat_rec& s = st.at(ref);
    if (!s.held() || !detail::tokens_equal(s.token_hash, token_hash(token))) {
        return refusal::bad_token;
    }
    st.change_seat(ref, [&](seat_rec& x) {
        st.take_hold(x, ref, c);
        if (x.state == seat_state::reserved) {
            // The new page needs time to start its publisher again.
            x.lease_expires = now + st.cfg.lease;
        }
    });
    return st.grant(st.at(ref), token, now);
}

void space::stream_up(const std::string& stream, const stream_info& info, time_point now)
{
    auto& st = *state_;
    if (const auto it = st.seat_by_stream.find(stream); it != st.seat_by_stream.end()) {
        if (st.admitted_while_leased(it->second, now)) {
            st.apply_up(it->second, info);
            st.expire_room(it->second.room, now);
        } else {
            st.expire_room(it->second.room, now);
            st.apply_up(it->second, info);
        }
    }
}

void space::stream_down(const std::string& stream, time_point now)
{
    auto& st = *state_;
    if (const auto it = st.seat_by_stream.find(stream); it != st.seat_by_stream.end()) {
        st.expire_room(it->second.room, now);
        st.apply_down(it->second, now);
    }
}

void space::streams_snapshot(const std::map<std::string, stream_info>& streams, time_point now)
{
    auto& st = *state_;
    // Room by room, seat order (not map order), so the events come out in a
    // stable order.
    for (std::size_t ri = 0; ri < st.rooms.size(); ++ri) {
        // Admitted broadcasts first (see admitted_while_leased), then the
        // deadlines, then the rest (a second apply_up changes nothing).
        for (unsigned si = 0; si < st.rooms[ri].seats.size(); ++si) {
            const seat_ref ref{ri, si};
            const auto it = streams.find(st.at(ref).stream);
            if (it != streams.end() && st.admitted_while_leased(ref, now)) {
                st.apply_up(ref, it->second);
            }
        }
        st.expire_room(ri, now);
        for (unsigned si = 0; si < st.rooms[ri].seats.size(); ++si) {
            const seat_ref ref{ri, si};
            if (const auto it = streams.find(st.at(ref).stream); it != streams.end()) {
                st.apply_up(ref, it->second);
            } else {
                st.apply_down(ref, now);
            }
        }
    }
}

admission space::check_admission(const std::string& stream,
                                 const std::string& token,
                                 time_point now) const
{
    const auto& st = *state_;
    const auto it = st.seat_by_stream.find(stream);
    if (it == st.seat_by_stream.end()) {
        return {false, refusal::unknown_stream};
    }
    const seat_rec& s = st.rooms[it->second.room].seats[it->second.seat];
    if (st.cfg.mode == config::admission_mode::open) {
        // Publishing is claiming there: a locked seat takes no new stream.
        if (s.locked && !on_air(s.state)) {
            return {false, refusal::seat_locked};
        }
        return {true, std::nullopt};
    }
    if (on_air(s.state)) {
        return {false, refusal::already_live};
    }
    // A hold whose deadline has passed counts as gone even before tick() runs.
    if (s.state == seat_state::free || !s.hold_valid_at(now)) {
        return {false, refusal::no_claim};
    }
    if (!detail::tokens_equal(s.token_hash, token_hash(token))) {
        return {false, refusal::bad_token};
    }
    return {true, std::nullopt};
}

std::optional<refusal> space::moderator_end(const std::string& room, unsigned seat, time_point now)
{
    auto& st = *state_;
    const auto it = st.room_by_id.find(room);
    if (it == st.room_by_id.end()) {
        return refusal::unknown_room;
    }
    if (seat >= st.rooms[it->second].seats.size()) {
        return refusal::bad_seat;
    }
    st.expire_room(it->second, now);
    const seat_ref ref{it->second, seat};
    seat_rec& s = st.at(ref);
    if (s.held()) {
        st.free_held(ref, "moderator", true);
    } else if (on_air(s.state)) {
        // A stream nobody holds (open mode): end it in OME; the seat frees
        // itself when the stream goes down.
        st.out.kicks.push_back(kick_stream{s.stream, "moderator"});
        s.kicked_by_moderator = true;
    }
    return std::nullopt;
}

std::optional<refusal> space::set_locked(const std::string& room,
                                         std::optional<unsigned> seat,
                                         bool locked,
                                         time_point now)
{
    auto& st = *state_;
    const auto it = st.room_by_id.find(room);
    if (it == st.room_by_id.end()) {
        return refusal::unknown_room;
    }
    const std::size_t ri = it->second;
    const auto count = static_cast<unsigned>(st.rooms[ri].seats.size());
    if (seat && *seat >= count) {
        return refusal::bad_seat;
    }
    st.expire_room(ri, now);  // a refused command settles nothing
    for (unsigned i = seat.value_or(0); i < (seat ? *seat + 1 : count); ++i) {
        st.change_seat({ri, i}, [&](seat_rec& s) { s.locked = locked; });
    }
    return std::nullopt;
}

void space::stream_viewers(const std::map<std::string, std::size_t>& counts, time_point now)
{
    auto& st = *state_;
    // Room by room, seat order (not map order), as streams_snapshot: a shared
    // store settles one room per script and must produce the same events in
    // the same order.
    for (std::size_t ri = 0; ri < st.rooms.size(); ++ri) {
        bool settled = false;
        for (unsigned si = 0; si < st.rooms[ri].seats.size(); ++si) {
            const seat_ref ref{ri, si};
            const auto it = counts.find(st.at(ref).stream);
            if (it == counts.end()) {
                continue;
            }
            if (!settled) {
                st.expire_room(ri, now);
                settled = true;
            }
            if (on_air(st.at(ref).state)) {
                st.change_seat(ref, [&](seat_rec& s) { s.watching = it->second; });
            }
        }
    }
}

void space::tick(time_point now)
{
    auto& st = *state_;
    st.expire_all(now);
    st.flush_presence(now);
}

std::optional<time_point> space::next_deadline() const
{
    const auto& st = *state_;
    std::optional<time_point> first;
    const auto consider = [&](const std::optional<time_point>& t) {
        if (t && (!first || *t < *first)) {
            first = t;
        }
    };
    for (const auto& room : st.rooms) {
        consider(room.viewers.due());
        for (const auto& s : room.seats) {
            if (!s.held()) {
                continue;
            }
            if (s.state == seat_state::reserved) {
                consider(s.lease_expires);
            }
            consider(s.grace_expires);
        }
    }
    return first;
}

outputs space::drain()
{
    return std::exchange(state_->out, outputs{});
}

std::optional<room_snapshot> space::snapshot(const std::string& room) const
{
    const auto& st = *state_;
    const auto it = st.room_by_id.find(room);
    if (it == st.room_by_id.end()) {
        return std::nullopt;
    }
    const room_rec& r = st.rooms[it->second];
    room_snapshot snap;
    snap.id = r.id;
    snap.title = r.title;
    snap.seq = r.seq;
    snap.viewers = r.viewers.count();
    snap.seats.reserve(r.seats.size());
    for (const auto& s : r.seats) {
        snap.seats.push_back(s.view());
    }
    return snap;
}

std::vector<std::string> space::room_ids() const
{
    std::vector<std::string> ids;
    ids.reserve(state_->rooms.size());
    for (const auto& r : state_->rooms) {
        ids.push_back(r.id);
    }
    return ids;
}

std::optional<std::string> space::room_of(conn_id c) const
{
    const auto& st = *state_;
    if (const auto it = st.member_of.find(c); it != st.member_of.end()) {
        return st.rooms[it->second].id;
    }
    return std::nullopt;
}

std::optional<unsigned> space::seat_of(conn_id c) const
{
    const auto& st = *state_;
    if (const auto it = st.holds.find(c); it != st.holds.end()) {
        return it->second.seat;
    }
    return std::nullopt;
}

kept_rooms space::kept() const
{
    kept_rooms k;
    for (const auto& r : state_->rooms) {
        k.seq[r.id] = r.seq;
        for (const auto& s : r.seats) {
            if (s.state == seat_state::free && !s.locked && !s.ended_by_moderator) continue;
            kept_seat ks;
            ks.room = r.id;
            ks.index = s.index;
            ks.state = s.state;
            ks.held = s.held();
            ks.token_hash = s.token_hash;
            ks.lease_expires = s.state == seat_state::reserved ? s.lease_expires : std::nullopt;
            ks.info = on_air(s.state) ? s.info : std::nullopt;
            ks.locked = s.locked;
            ks.ended_by_moderator = s.ended_by_moderator;
            k.seats.push_back(std::move(ks));
        }
    }
    return k;
}

void space::restore(const kept_rooms& k, time_point now, std::chrono::milliseconds grace)
{
    auto& st = *state_;
    for (const auto& [id, seq] : k.seq) {
        if (const auto it = st.room_by_id.find(id); it != st.room_by_id.end()) {
            st.rooms[it->second].seq = std::max(st.rooms[it->second].seq, seq);
        }
    }
    conn_id next_holder = restored_holder_base + st.holds.size();
    for (const auto& ks : k.seats) {
        const auto it = st.room_by_id.find(ks.room);
        if (it == st.room_by_id.end() || ks.index >= st.rooms[it->second].seats.size()) continue;
        const seat_ref ref{it->second, ks.index};
        seat_rec& s = st.at(ref);
        // A hold needs its token; an on-air seat its details; a lease only
        // where one runs. Anything else comes back as the nearest sane state.
        const bool held = ks.held && !ks.token_hash.empty() && ks.state != seat_state::ending &&
                          ks.state != seat_state::free &&
                          (ks.state != seat_state::reserved || ks.lease_expires);
        if (held) {
            st.take_hold(s, ref, next_holder++);
            s.token_hash = ks.token_hash;
            s.grace_expires = now + grace;
        }
        if (on_air(ks.state) && ks.info) {
            s.state = ks.state;
            s.info = ks.info;
        } else if (ks.state == seat_state::reserved && held) {
            s.state = seat_state::reserved;
            // The lease ran on while this service was down, when its holder
            // could neither publish (the gateway asks us) nor resume: it
            // ends no sooner than the restart's grace for the holder.
            s.lease_expires = std::max(*ks.lease_expires, now + grace);
        } else if (ks.state == seat_state::ending) {
            s.state = seat_state::ending;
        }
        if (s.state == seat_state::free && s.held()) {
            st.drop_hold_record(s, ref);
            s.holder = 0;
            s.token_hash.clear();
            s.grace_expires.reset();
        }
        s.locked = ks.locked;
        s.ended_by_moderator = ks.ended_by_moderator;
    }
}

std::size_t space::seats_in_state(seat_state s) const
{
    std::size_t n = 0;
    for (const auto& r : state_->rooms) {
        n += static_cast<std::size_t>(std::count_if(
            r.seats.begin(), r.seats.end(), [&](const seat_rec& x) { return x.state == s; }));
    }
    return n;
}

}  // namespace ovs::room
