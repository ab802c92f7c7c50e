#include <ovs/gateway/outputs_watch.hpp>

namespace ovs::gateway {

using proto::outputs_state;

outputs_watch::outputs_watch(timing t) : timing_(t) {}

void outputs_watch::appeared(const std::string& stream, time_point now)
{
    streams_.try_emplace(stream, entry{outputs_state::starting, now, now, false});
}

std::vector<std::string> outputs_watch::due(time_point now)
{
    std::vector<std::string> out;
    for (auto& [name, e] : streams_) {
        if (e.state == outputs_state::ready || e.in_flight || e.next_probe > now) continue;
        e.in_flight = true;
        out.push_back(name);
    }
    return out;
}

outputs_watch::time_point outputs_watch::after_probe(const entry& e, time_point now) const
{
    return now + (e.state == outputs_state::failed ? timing_.failed_probe_interval
                                                   : timing_.probe_interval);
}

std::optional<outputs_state> outputs_watch::probed(const std::string& stream,
                                                   bool ready,
                                                   time_point now)
{
    auto it = streams_.find(stream);
    if (it == streams_.end()) return std::nullopt;
    entry& e = it->second;
    e.in_flight = false;
    if (ready) {
        if (e.state == outputs_state::ready) return std::nullopt;
        e.state = outputs_state::ready;
        return e.state;
    }
    e.next_probe = after_probe(e, now);
    return std::nullopt;  // not ready: expire() decides when starting becomes failed
}

void outputs_watch::probe_failed(const std::string& stream, time_point now)
{
    auto it = streams_.find(stream);
    if (it == streams_.end()) return;
    it->second.in_flight = false;
    it->second.next_probe = after_probe(it->second, now);
}

std::vector<std::pair<std::string, outputs_state>> outputs_watch::expire(time_point now)
{
    std::vector<std::pair<std::string, outputs_state>> out;
    for (auto& [name, e] : streams_) {
        if (e.state != outputs_state::starting || now - e.appeared < timing_.timeout) continue;
        e.state = outputs_state::failed;
        out.emplace_back(name, e.state);
    }
    return out;
}

std::optional<outputs_watch::time_point> outputs_watch::next_deadline() const
{
    std::optional<time_point> first;
    auto consider = [&](time_point t) {
        if (!first || t < *first) first = t;
    };
    for (const auto& [name, e] : streams_) {
        if (e.state == outputs_state::ready) continue;
        if (!e.in_flight) consider(e.next_probe);
        if (e.state == outputs_state::starting) consider(e.appeared + timing_.timeout);
    }
    return first;
}

void outputs_watch::gone(const std::string& stream)
{
    streams_.erase(stream);
}

void outputs_watch::clear()
{
    streams_.clear();
}

std::optional<outputs_state> outputs_watch::state(const std::string& stream) const
{
    auto it = streams_.find(stream);
    if (it == streams_.end()) return std::nullopt;
    return it->second.state;
}

}  // namespace ovs::gateway
