#include <ovs/room/presence.hpp>

#include <algorithm>

namespace ovs::room::detail {

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
    return std::max(*pending_since_, *sent_at_ + interval_);
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
