#include "invariants.hpp"

#include <algorithm>

namespace ovs::chaos {

namespace {

// A seat whose holder is broadcasting: OME has admitted its stream.
bool broadcasting(const std::string& state)
{
    return state == "starting" || state == "live" || state == "failed";
}

}  // namespace

const char* invariant_name(invariant which)
{
    switch (which) {
        case invariant::seat_held_twice:
            return "seat held by two connections";
        case invariant::free_seat_with_stream:
            return "free seat with a stream in OME";
        case invariant::broadcasting_seat_without_stream:
            return "broadcasting seat without a stream";
        case invariant::seq_gap_without_resync:
            return "seq gap without a resync";
        case invariant::live_seat_blinked:
            return "live seat blinked without a stream change";
        case invariant::hold_lost_on_restart:
            return "hold lost on a restart";
    }
    return "?";
}

checker::checker(unsigned seat_count, checker_bounds bounds)
    : seat_count_(seat_count), bounds_(bounds)
{
}

// ------------------------------------------------------------- viewers

void checker::snapshot(int viewer, millis_t at, long long seq, const std::vector<seat_state>& seats)
{
    auto& v = viewers_[viewer];
    v.connected = true;
    v.last_seq = seq;
    v.gap_at.reset();  // a fresh snapshot is the resync
    v.seats.clear();
    for (const auto& s : seats) apply_seat(viewer, at, s);
}

void checker::frames_sent_after(int viewer, millis_t sent_after)
{
    viewers_[viewer].sent_after = sent_after;
}

void checker::seat_delta(int viewer, millis_t at, long long seq, const seat_state& seat)
{
    other_delta(viewer, at, seq);
    apply_seat(viewer, at, seat);
}

void checker::other_delta(int viewer, millis_t at, long long seq)
{
    auto& v = viewers_[viewer];
    const bool in_order = v.connected && v.last_seq && seq == *v.last_seq + 1;
    if (!in_order && !v.gap_at) {
        v.gap_at = at;
        v.gap_detail = "viewer " + std::to_string(viewer) + ": seq " + std::to_string(seq) +
                       " after " + (v.last_seq ? std::to_string(*v.last_seq) : "no snapshot");
    }
    v.last_seq = seq;
}

void checker::viewer_closed(int viewer, millis_t /*at*/)
{
    auto& v = viewers_[viewer];
    v.connected = false;
    v.last_seq.reset();
    // Its view says nothing any more; what it saw live stays remembered, so
    // a seat that comes back down after the reconnect is a blink too.
    v.seats.clear();
}

void checker::apply_seat(int viewer, millis_t at, const seat_state& seat)
{
    if (seat.seat >= seat_count_) return;
    auto& v = viewers_[viewer];
    auto& view = v.seats[seat.seat];
    if (view.state != seat.state || view.since == 0) {
        view.state = seat.state;
        view.since = at;
    }
    if (seat.state == "live") {
        if (auto down = v.down_since.find(seat.seat); down != v.down_since.end()) {
            blinks_.push_back(blink{viewer,
                                    seat.seat,
                                    v.last_live[seat.seat],
                                    v.live_sent_after[seat.seat],
                                    down->second,
                                    at,
                                    v.down_state[seat.seat]});
            v.down_since.erase(down);
        }
        v.last_live[seat.seat] = at;
        v.live_sent_after[seat.seat] = v.sent_after.value_or(at);
    } else if (v.last_live.count(seat.seat) && !v.down_since.count(seat.seat)) {
        v.down_since[seat.seat] = at;
        v.down_state[seat.seat] = seat.state;
    }
}

// ------------------------------------------------------ ground truth

void checker::ome_streams(millis_t at, const std::map<std::string, std::uint64_t>& streams)
{
    for (const auto& [name, id] : streams) {
        auto known = listed_.find(name);
        if (known == listed_.end() || known->second != id) listed_since_[name] = at;
    }
    for (const auto& [name, id] : listed_) {
        if (!streams.count(name)) unlisted_since_[name] = at;
    }
    listed_ = streams;
    evaluate(at);
}

void checker::stream_changed(const std::string& stream, millis_t at)
{
    changes_[stream].push_back(at);
}

void checker::whole(bool is_whole, millis_t at)
{
    if (is_whole && !whole_) whole_since_ = at;
    whole_ = is_whole;
}

// ------------------------------------------------------------- actors

void checker::hold_gained(int actor, unsigned seat, millis_t at)
{
    suspended_[seat].erase(actor);
    unheld_since_.erase(seat);
    auto& h = holders_[seat];
    for (const auto& e : h) {
        if (e.actor == actor) return;
    }
    h.push_back(hold{actor, at});
}

void checker::hold_lost(int actor, unsigned seat, millis_t at)
{
    auto& h = holders_[seat];
    std::erase_if(h, [&](const hold& e) { return e.actor == actor; });
    suspended_[seat].erase(actor);
    if (h.empty() && suspended_[seat].empty() && !unheld_since_.count(seat)) {
        unheld_since_[seat] = at;
    }
}

void checker::hold_suspended(int actor, unsigned seat, millis_t at)
{
    hold_lost(actor, seat, at);
    suspended_[seat].insert(actor);
    unheld_since_.erase(seat);
}

void checker::resume_refused(int actor, unsigned seat, const std::string& code, millis_t at)
{
    const auto key =
        std::make_tuple(static_cast<int>(invariant::hold_lost_on_restart), actor, seat, at);
    if (!reported_.insert(key).second) return;
    add(invariant::hold_lost_on_restart,
        at,
        "actor " + std::to_string(actor) + ": resume of broadcasting seat " + std::to_string(seat) +
            " refused (" + code + ")");
}

// ------------------------------------------------------------- judging

void checker::add(invariant which, millis_t at, std::string detail)
{
    violation v{which, at, std::move(detail)};
    pending_.push_back(v);
    all_.push_back(std::move(v));
}

// Invariants 2 and 3, each disagreement reported once per episode.
void checker::evaluate(millis_t at)
{
    if (!whole_) return;
    // Seats nobody holds (never held counts from the start) whose stream
    // OME keeps.
    for (unsigned seat = 0; seat < seat_count_; ++seat) {
        const bool held = !holders_[seat].empty() || !suspended_[seat].empty();
        const std::string stream = stream_of(seat);
        if (held || !listed_.count(stream)) continue;
        const millis_t since = std::max(unheld_since_[seat], listed_since_[stream]);
        if (at - std::max(since, whole_since_) <= bounds_.agreement_ms) continue;
        const auto key =
            std::make_tuple(static_cast<int>(invariant::free_seat_with_stream), -2, seat, since);
        if (!reported_.insert(key).second) continue;
        add(invariant::free_seat_with_stream,
            at,
            "seat " + std::to_string(seat) + " held by nobody since " +
                std::to_string(unheld_since_[seat]) + " ms while OME lists " + stream +
                " (publisher " + std::to_string(listed_.at(stream)) + ", since " +
                std::to_string(listed_since_[stream]) + " ms; whole since " +
                std::to_string(whole_since_) + " ms)");
    }
    for (const auto& [viewer, v] : viewers_) {
        if (!v.connected) continue;
        for (const auto& [seat, view] : v.seats) {
            const std::string stream = stream_of(seat);
            const bool listed = listed_.count(stream) > 0;
            std::optional<invariant> which;
            millis_t since = view.since;
            if (view.state == "free" && listed) {
                which = invariant::free_seat_with_stream;
                since = std::max(since, listed_since_[stream]);
            } else if (broadcasting(view.state) && !listed) {
                which = invariant::broadcasting_seat_without_stream;
                since = std::max(since, unlisted_since_[stream]);
            }
            if (!which) continue;
            if (at - std::max(since, whole_since_) <= bounds_.agreement_ms) continue;
            const auto key = std::make_tuple(static_cast<int>(*which), viewer, seat, since);
            if (!reported_.insert(key).second) continue;
            add(*which,
                at,
                "viewer " + std::to_string(viewer) + ": seat " + std::to_string(seat) + " " +
                    view.state + " since " + std::to_string(view.since) + " ms while OME " +
                    (listed ? "lists " : "does not list ") + stream + " (since " +
                    std::to_string(since) + " ms; whole since " + std::to_string(whole_since_) +
                    " ms)");
        }
    }
}

void checker::judge_blinks(millis_t at, bool final_check)
{
    std::vector<blink> later;
    for (const auto& b : blinks_) {
        if (!final_check && at < b.up + bounds_.change_slack_ms) {
            later.push_back(b);
            continue;
        }
        const auto& changes = changes_[stream_of(b.seat)];
        const bool explained = std::any_of(changes.begin(), changes.end(), [&](millis_t c) {
            return c >= b.live_sent_after && c <= b.up + bounds_.change_slack_ms;
        });
        if (explained) continue;
        add(invariant::live_seat_blinked,
            b.up,
            "viewer " + std::to_string(b.viewer) + ": seat " + std::to_string(b.seat) +
                " live at " + std::to_string(b.last_live) + " ms (sent after " +
                std::to_string(b.live_sent_after) + " ms), " + b.down_state + " at " +
                std::to_string(b.down) + " ms, live again at " + std::to_string(b.up) +
                " ms, no publish or end of " + stream_of(b.seat) + " in between");
    }
    blinks_ = std::move(later);
}

void checker::judge_gaps(millis_t at, bool final_check)
{
    for (auto& [viewer, v] : viewers_) {
        if (!v.gap_at) continue;
        if (!final_check && at - *v.gap_at <= bounds_.resync_ms) continue;
        add(invariant::seq_gap_without_resync, *v.gap_at, v.gap_detail + ", no snapshot followed");
        v.gap_at.reset();
    }
}

void checker::judge_holders(millis_t at)
{
    for (const auto& [seat, h] : holders_) {
        if (h.size() < 2) continue;
        millis_t newest = 0;
        std::string who;
        for (const auto& e : h) {
            newest = std::max(newest, e.since);
            who += (who.empty() ? "" : ", ") + std::string("actor ") + std::to_string(e.actor) +
                   " since " + std::to_string(e.since) + " ms";
        }
        const auto key =
            std::make_tuple(static_cast<int>(invariant::seat_held_twice), -1, seat, newest);
        if (!reported_.insert(key).second) continue;
        add(invariant::seat_held_twice, at, "seat " + std::to_string(seat) + " held by " + who);
    }
}

std::vector<violation> checker::check(millis_t at, bool final_check)
{
    checks_ += 6;  // one per invariant
    evaluate(at);
    judge_holders(at);
    judge_blinks(at, final_check);
    judge_gaps(at, final_check);
    std::vector<violation> out;
    out.swap(pending_);
    return out;
}

}  // namespace ovs::chaos
