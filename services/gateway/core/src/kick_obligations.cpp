#include <ovs/gateway/kick_obligations.hpp>

#include <algorithm>
#include <set>

namespace ovs::gateway {

kick_obligations::kick_obligations(millis retry_first, millis retry_max)
    : retry_first_(std::max(retry_first, millis(1))), retry_max_(std::max(retry_max, retry_first_))
{
}

kick_obligations::millis kick_obligations::retry_delay(unsigned failures) const
{
    // first, 2*first, 4*first, ... capped; no overflow for any count.
    millis delay = retry_first_;
    for (unsigned i = 1; i < failures && delay < retry_max_; ++i) delay *= 2;
    return std::min(delay, retry_max_);
}

bool kick_obligations::owe(const std::string& stream, std::string reason, time_point now)
{
    auto [it, fresh] = owed_.try_emplace(stream);
    obligation& o = it->second;
    o.reason = std::move(reason);
    if (fresh) o.since = now;
    if (o.state != phase::owed) return false;
    o.state = phase::deleting;
    return true;
}

std::vector<std::string> kick_obligations::take_due(time_point now)
{
    std::vector<std::string> due;
    for (auto& [stream, o] : owed_) {
        if (o.state == phase::owed && o.next_try <= now) {
            o.state = phase::deleting;
            due.push_back(stream);
        }
    }
    return due;
}

void kick_obligations::delete_answered(const std::string& stream,
                                       bool gone,
                                       std::string error,
                                       time_point now)
{
    auto it = owed_.find(stream);
    if (it == owed_.end() || it->second.state != phase::deleting) return;
    obligation& o = it->second;
    if (gone) {
        o.state = phase::deleted;
        o.answered_at = now;
        return;
    }
    o.state = phase::owed;
    ++o.failures;
    o.last_error = std::move(error);
    o.next_try = now + retry_delay(o.failures);
}

std::vector<std::string> kick_obligations::list_seen(const std::vector<std::string>& names,
                                                     time_point asked_at,
                                                     time_point now)
{
    const std::set<std::string> listed(names.begin(), names.end());
    std::vector<std::string> ended;
    for (auto it = owed_.begin(); it != owed_.end();) {
        obligation& o = it->second;
        // A list asked for before the kick says nothing about it.
        if (asked_at < o.since) {
            ++it;
            continue;
        }
        if (listed.count(it->first) == 0) {
            ended.push_back(it->first);
            it = owed_.erase(it);
            continue;
        }
        if (o.state == phase::deleted && asked_at >= o.answered_at) {
            // OME said it ended the stream, yet lists it: not done.
            o.state = phase::owed;
            ++o.failures;
            o.last_error = "still listed after OME answered the DELETE";
            o.next_try = now + retry_delay(o.failures);
        }
        ++it;
    }
    return ended;
}

void kick_obligations::ome_recovered(time_point now)
{
    for (auto& [stream, o] : owed_) {
        if (o.state == phase::owed) o.next_try = std::min(o.next_try, now);
    }
}

bool kick_obligations::blocks_admission(const std::string& stream) const
{
    const auto* o = find(stream);
    return o != nullptr && o->state != phase::deleted;
}

void kick_obligations::admitted(const std::string& stream)
{
    owed_.erase(stream);
}

std::optional<kick_obligations::time_point> kick_obligations::next_due() const
{
    std::optional<time_point> next;
    for (const auto& [stream, o] : owed_) {
        if (o.state != phase::owed) continue;
        if (!next || o.next_try < *next) next = o.next_try;
    }
    return next;
}

const kick_obligations::obligation* kick_obligations::find(const std::string& stream) const
{
    const auto it = owed_.find(stream);
    return it == owed_.end() ? nullptr : &it->second;
}

}  // namespace ovs::gateway
