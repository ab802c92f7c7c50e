#include <ovs/gateway/admission_ledger.hpp>

#include <algorithm>

namespace ovs::gateway {

void admission_ledger::admitted(const connection_key& who, const std::string& stream)
{
    auto& conns = streams_[stream];
    if (std::find(conns.begin(), conns.end(), who) == conns.end()) conns.push_back(who);
}

std::optional<std::string> admission_ledger::closed(const connection_key& who,
                                                    const std::vector<std::string>& streams)
{
    for (const auto& stream : streams) {
        auto it = streams_.find(stream);
        if (it == streams_.end()) continue;
        auto& conns = it->second;
        auto pos = std::find(conns.begin(), conns.end(), who);
        if (pos == conns.end()) continue;
        conns.erase(pos);
        if (!conns.empty()) return std::nullopt;  // another admitted publisher holds it
        streams_.erase(it);
        return stream;
    }
    return std::nullopt;
}

void admission_ledger::confirm_publisher(const std::string& stream, const connection_key& who)
{
    auto it = streams_.find(stream);
    if (it == streams_.end())
        return;  // not admitted by us (open mode, or admitted before a restart)
    auto& conns = it->second;
    if (std::find(conns.begin(), conns.end(), who) == conns.end()) return;
    conns.assign(1, who);
}

void admission_ledger::stream_gone(const std::string& stream)
{
    streams_.erase(stream);
}

bool admission_ledger::has_publisher(const std::string& stream) const
{
    return streams_.count(stream) != 0;
}

std::vector<connection_key> admission_ledger::connections(const std::string& stream) const
{
    auto it = streams_.find(stream);
    return it == streams_.end() ? std::vector<connection_key>{} : it->second;
}

std::optional<connection_key> admission_ledger::latest_publisher(const std::string& stream) const
{
    auto it = streams_.find(stream);
    if (it == streams_.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::size_t admission_ledger::connection_count() const
{
    std::size_t n = 0;
    for (const auto& [stream, conns] : streams_) n += conns.size();
    return n;
}

}  // namespace ovs::gateway
