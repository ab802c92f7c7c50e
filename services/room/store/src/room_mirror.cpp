#include <ovs/room/room_mirror.hpp>

namespace ovs::room::store {

room_mirror::room_mirror(unsigned seats, std::size_t max_waiting) : max_waiting_(max_waiting)
{
    seats_.resize(seats);
    for (unsigned i = 0; i < seats; ++i) seats_[i].index = i;
}

void room_mirror::apply(const store_event& e)
{
    seq_ = e.seq;
    if (!e.seat) {
        viewers_ = e.viewers;
        return;
    }
    if (e.seat->index < seats_.size()) seats_[e.seat->index] = *e.seat;
}

std::vector<store_event> room_mirror::offer(store_event e)
{
    std::vector<store_event> applied;
    if (e.seq <= seq_) return applied;  // seen already
    if (e.seq > seq_ + 1) {
        waiting_.emplace(e.seq, std::move(e));
        while (waiting_.size() > max_waiting_) waiting_.erase(waiting_.begin());
        return applied;
    }
    apply(e);
    applied.push_back(std::move(e));
    for (auto it = waiting_.begin(); it != waiting_.end();) {
        if (it->first <= seq_) {
            it = waiting_.erase(it);
        } else if (it->first == seq_ + 1) {
            apply(it->second);
            applied.push_back(std::move(it->second));
            it = waiting_.erase(it);
        } else {
            break;
        }
    }
    return applied;
}

std::vector<store_event> room_mirror::reset(std::uint64_t seq,
                                            std::size_t viewers,
                                            const std::vector<seat_record>& seats)
{
    seq_ = seq;
    viewers_ = viewers;
    for (unsigned i = 0; i < seats_.size(); ++i) {
        seats_[i] = seat_record{};
        seats_[i].index = i;
    }
    for (const auto& s : seats) {
        if (s.index < seats_.size()) seats_[s.index] = s;
    }
    std::vector<store_event> applied;
    while (!waiting_.empty() && waiting_.begin()->first <= seq_) waiting_.erase(waiting_.begin());
    while (!waiting_.empty() && waiting_.begin()->first == seq_ + 1) {
        apply(waiting_.begin()->second);
        applied.push_back(std::move(waiting_.begin()->second));
        waiting_.erase(waiting_.begin());
    }
    return applied;
}

std::optional<std::int64_t> room_mirror::earliest_lease() const
{
    std::optional<std::int64_t> first;
    for (const auto& s : seats_) {
        if (s.state == seat_state::reserved && !s.holder.empty() && s.lease_ms &&
            (!first || *s.lease_ms < *first)) {
            first = s.lease_ms;
        }
    }
    return first;
}

}  // namespace ovs::room::store
