#include <ovs/gateway/orphan_streams.hpp>
#include <ovs/gateway/stream_book.hpp>

namespace ovs::gateway {

stream_book::stream_book(clock::duration admission_grace,
                         kick_obligations::millis kick_retry_first,
                         kick_obligations::millis kick_retry_max)
    : admission_grace_(admission_grace), kicks_(kick_retry_first, kick_retry_max)
{
}

stream_book::list_outcome stream_book::list_seen(const std::vector<std::string>& names,
                                                 const list_context& list)
{
    list_outcome out;
    if (list.ome_recovered) kicks_.ome_recovered(list.now);
    if (list.relearn) {
        tracker_.reset();
        detail_failures_.clear();
    }
    out.kicks_confirmed = kicks_.list_seen(names, list.asked_at, list.now);
    tracker_.apply_list(names);
    out.detail_requests = tracker_.take_detail_requests();

    // What the room knows that OME does not list is over, unless a webhook
    // admitted it so recently that OME may not list it yet.
    const std::set<std::string> in_list(names.begin(), names.end());
    std::erase_if(detail_failures_, [&](const auto& f) { return in_list.count(f.first) == 0; });
    std::vector<std::string> gone;
    for (const auto& [name, known] : view_) {
        if (in_list.count(name) != 0) continue;
        if (known.admitted_at && list.now - *known.admitted_at < admission_grace_) continue;
        gone.push_back(name);
    }
    for (const auto& name : gone) {
        ledger_.stream_gone(name);
        if (auto down = forget(name)) out.downs.push_back(std::move(*down));
    }
    return out;
}

bool stream_book::details_failed(const std::string& stream)
{
    tracker_.detail_failed(stream);
    if (!tracker_.is_live(stream) || view_.count(stream) != 0) return false;
    return ++detail_failures_[stream] >= details_attempts;
}

bool stream_book::awaiting_details() const
{
    for (const auto& [name, entry] : tracker_.streams()) {
        if (entry.details || view_.count(name) != 0) continue;
        const auto failed = detail_failures_.find(name);
        if (failed == detail_failures_.end() || failed->second < details_attempts) return true;
    }
    return false;
}

void stream_book::details_seen(stream_details details)
{
    detail_failures_.erase(details.name);
    if (!tracker_.is_live(details.name)) return;
    if (details.peer) {
        ledger_.confirm_publisher(details.name,
                                  connection_key{details.peer->address, details.peer->port});
    }
    tracker_.set_details(std::move(details));
}

std::optional<stream_book::room_up> stream_book::up(proto::stream_info info,
                                                    time_point now,
                                                    bool admitted)
{
    auto it = view_.find(info.name);
    if (it == view_.end()) {
        known_stream known{info, std::nullopt, now, false};
        if (admitted) known.admitted_at = now;
        view_.emplace(info.name, std::move(known));
        return room_up{std::move(info), true};
    }
    if (admitted) it->second.admitted_at = now;
    if (it->second.info.source == "WHIP" && info.source == "WebRTC") info.source = "WHIP";
    if (it->second.info == info) return std::nullopt;
    it->second.info = info;
    return room_up{std::move(info), false};
}

std::optional<stream_book::room_up> stream_book::admitted(const connection_key& who,
                                                          proto::stream_info info,
                                                          time_point now)
{
    kicks_.admitted(info.name);
    ledger_.admitted(who, info.name);
    tracker_.note_admitted(info.name);
    return up(std::move(info), now, true);
}

std::optional<proto::stream_info> stream_book::closed(const connection_key& who,
                                                      const std::vector<std::string>& streams)
{
    const auto ended = ledger_.closed(who, streams);
    if (!ended) return std::nullopt;
    tracker_.mark_down(*ended);
    return forget(*ended);
}

stream_book::delete_outcome stream_book::delete_answered(const std::string& stream,
                                                         const std::vector<connection_key>& kicked,
                                                         bool gone,
                                                         std::string error,
                                                         time_point now)
{
    kicks_.delete_answered(stream, gone, std::move(error), now);
    delete_outcome out;
    if (!gone) return out;
    // The closings OME sends for the kicked publishers change nothing now.
    for (const auto& who : kicked) ledger_.closed(who, {stream});
    if (ledger_.has_publisher(stream)) {
        // Admitted after the kick began: OME either runs it now (the DELETE
        // ended the old one) or rejects it as a duplicate and sends its
        // closing. Its own closing, or a list, ends it; not this kick.
        out.held_by_newer = true;
        return out;
    }
    ledger_.stream_gone(stream);
    tracker_.mark_down(stream);
    out.down = forget(stream);
    return out;
}

std::vector<std::string> stream_book::orphans(const std::set<std::string>& seat_streams,
                                              const std::vector<std::string>& held,
                                              time_point asked_at) const
{
    std::vector<std::string> in_ome;
    std::set<std::string> admitted_since;
    for (const auto& [name, known] : view_) {
        in_ome.push_back(name);
        if (known.admitted_at && *known.admitted_at >= asked_at) admitted_since.insert(name);
    }
    return orphan_streams(in_ome, seat_streams, held, admitted_since);
}

std::optional<proto::stream_info> stream_book::set_outputs(const std::string& stream,
                                                           proto::outputs_state state)
{
    auto it = view_.find(stream);
    if (it == view_.end() || it->second.info.outputs == state) return std::nullopt;
    it->second.info.outputs = state;
    return it->second.info;
}

std::optional<stream_book::outputs_wait> stream_book::outputs_reported(const std::string& stream,
                                                                       time_point now)
{
    auto it = view_.find(stream);
    if (it == view_.end()) return std::nullopt;
    outputs_wait wait;
    wait.seconds = std::chrono::duration<double>(now - it->second.appeared).count();
    wait.first = !it->second.outputs_timed;
    it->second.outputs_timed = true;
    return wait;
}

const stream_book::known_stream* stream_book::find(const std::string& stream) const
{
    auto it = view_.find(stream);
    return it == view_.end() ? nullptr : &it->second;
}

std::optional<proto::stream_info> stream_book::forget(const std::string& stream)
{
    auto it = view_.find(stream);
    if (it == view_.end()) return std::nullopt;
    proto::stream_info info = std::move(it->second.info);
    view_.erase(it);
    return info;
}

}  // namespace ovs::gateway
