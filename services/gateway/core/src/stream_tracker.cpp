#include <ovs/gateway/stream_tracker.hpp>

#include <iterator>

namespace ovs::gateway {

std::vector<stream_event> stream_tracker::apply_list(const std::vector<std::string>& names)
{
    std::set<std::string> next(names.begin(), names.end());
    std::vector<stream_event> events;
    for (auto it = streams_.begin(); it != streams_.end();) {
        if (next.count(it->first) == 0) {
            events.push_back({stream_event::kind::down, it->first});
            it = streams_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = suppressed_.begin(); it != suppressed_.end();) {
        it = next.count(*it) == 0 ? suppressed_.erase(it) : std::next(it);
    }
    for (const auto& name : next) {
        if (suppressed_.count(name) != 0) continue;
        if (streams_.try_emplace(name).second) events.push_back({stream_event::kind::up, name});
    }
    return events;
}

std::vector<std::string> stream_tracker::take_detail_requests()
{
    std::vector<std::string> out;
    for (auto& [name, e] : streams_) {
        if (!e.detail_requested) {
            e.detail_requested = true;
            out.push_back(name);
        }
    }
    return out;
}

void stream_tracker::detail_failed(const std::string& stream)
{
    auto it = streams_.find(stream);
    if (it != streams_.end() && !it->second.details) it->second.detail_requested = false;
}

bool stream_tracker::set_details(stream_details details)
{
    auto it = streams_.find(details.name);
    if (it == streams_.end()) return false;
    it->second.details = std::move(details);
    it->second.detail_requested = true;
    return true;
}

std::optional<stream_event> stream_tracker::mark_down(const std::string& stream)
{
    // Suppressed even when no list has shown it yet (a webhook-admitted
    // stream that ended before the next poll): OME may still list it once,
    // and that must not bring it back up. The next list without it clears this.
    suppressed_.insert(stream);
    if (streams_.erase(stream) == 0) return std::nullopt;
    return stream_event{stream_event::kind::down, stream};
}

void stream_tracker::note_admitted(const std::string& stream)
{
    suppressed_.erase(stream);
}

void stream_tracker::reset()
{
    streams_.clear();
    suppressed_.clear();
}

}  // namespace ovs::gateway
