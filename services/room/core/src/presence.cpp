#include <ovs/room/presence.hpp>

#include <algorithm>

namespace ovs::room::detail {

std::chrono::microseconds presence::interval_for(std::chrono::milliseconds configured,
                                                 std::size_t viewers)
{
    const std::chrono::microseconds floor = configured;
    const std::chrono::microseconds top = std::max<std::chrono::microseconds>(ceiling, floor);
    // Compare before multiplying: no overflow for any count.
    if (viewers >= static_cast<std::size_t>(top / per_viewer)) return top;
    return std::max(floor, per_viewer * static_cast<std::int64_t>(viewers));
}

void presence::add(time_point now)
{
    ++count_;
    changed(now);
}

void presence::remove(time_point now)
{
    if (count_ > 0) {
        --count_;
    }
    changed(now);
}

void presence::changed(time_point now)
{
    if (count_ == sent_) {
        pending_since_.reset();  // back where browsers think it is: nothing to say
    } else if (!pending_since_) {
        pending_since_ = now;
    }
}

std::optional<presence::time_point> presence::due() const
{
    if (!pending_since_) {
        return std::nullopt;
    }
    if (!sent_at_) {
        return *pending_since_;
    }
    // Paced by the size last announced, not the current one: in a storm
    // the current size would push the deadline away faster than time runs.
    const auto since_sent = *sent_at_ + interval_for(interval_, sent_);
    return std::max(*pending_since_,
                    std::chrono::time_point_cast<time_point::duration>(since_sent));
}

std::optional<std::size_t> presence::flush(time_point now)
{
    const auto when = due();
    if (!when || now < *when) {
        return std::nullopt;
    }
    sent_ = count_;
    sent_at_ = now;
    pending_since_.reset();
    return sent_;
}

}  // namespace ovs::room::detail
