#pragma once
// What the gateway links last said about OME's streams (a whole list, then
// each change), kept for one purpose: a shared store that lost its rooms
// (Redis restarted without persistence) shows every seat free, and a
// gateway sends news only of streams that change, so the replica that
// started the rooms again applies this view once more. Unknown until a link
// sent a whole list. Pure; tested without sockets.

#include <ovs/room/space.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace ovs::room {

class gateway_view {
public:
    using streams_map = std::map<std::string, stream_info>;

    void whole(streams_map streams) { streams_ = std::move(streams); }
    void up(const std::string& stream, const stream_info& info)
    {
        if (streams_) (*streams_)[stream] = info;
    }
    void down(const std::string& stream)
    {
        if (streams_) streams_->erase(stream);
    }
    // Nothing known yet: nothing to apply again.
    const std::optional<streams_map>& streams() const { return streams_; }

private:
    std::optional<streams_map> streams_;
};

}  // namespace ovs::room
