#pragma once
// The gateway's view of which streams OME has: each poll's stream list is
// diffed against the previous one into up/down events; streams that appeared
// get exactly one detail fetch; fetched details are kept with the stream.
//
// Typical poll cycle in the I/O shell:
//   auto events = tracker.apply_list(names);           // send these to the room
//   for (auto& s : tracker.take_detail_requests()) ... // GET .../streams/{s}
//   tracker.set_details(d);                             // returns true: send an update
// Webhooks may learn of a stream's end earlier: mark_down() then returns the
// event once. OME drops the stream from its list a little later (~0.3 s), so
// a list fetched in between would bring it back: after mark_down() the stream
// is not reported up again until a list without it was seen, or until
// note_admitted() says a new publisher was let in for it.

#include <ovs/gateway/ome_api.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ovs::gateway {

struct stream_event {
    enum class kind { up, down };
    kind what = kind::up;
    std::string stream;
    bool operator==(const stream_event&) const = default;
};

class stream_tracker {
public:
    struct entry {
        std::optional<stream_details> details;  // once fetched
        bool detail_requested = false;
    };

    // Applies a fresh stream list (duplicates ignored). Returns the downs (for
    // streams gone, in name order), then the ups (new streams, in name order).
    // The first call reports every listed stream as up.
    std::vector<stream_event> apply_list(const std::vector<std::string>& names);

    // Live streams whose detail has not been requested yet, in name order;
    // each is returned once per appearance (a stream that goes down and comes
    // back is asked for again).
    std::vector<std::string> take_detail_requests();

    // The detail fetch of `stream` failed: take_detail_requests() returns it
    // again (the next poll asks once more).
    void detail_failed(const std::string& stream);

    // Stores a fetched detail under details.name. Ignored (false) when that
    // stream is not live any more; true when stored.
    bool set_details(stream_details details);

    // A stream ended by other means (webhook closing, our own DELETE): the
    // down event if it was live, nothing otherwise. Either way the stream is
    // suppressed as described above (also when no list has shown it yet).
    std::optional<stream_event> mark_down(const std::string& stream);

    // A new publisher was admitted for `stream` (webhook opening allowed):
    // lifts the mark_down() suppression so the next list may report it up.
    void note_admitted(const std::string& stream);

    // Forget everything (e.g. after OME was unreachable and restarted); the
    // next apply_list reports all its streams as up again.
    void reset();

    bool is_live(const std::string& stream) const { return streams_.count(stream) != 0; }
    const std::map<std::string, entry>& streams() const { return streams_; }

private:
    std::map<std::string, entry> streams_;
    std::set<std::string> suppressed_;  // marked down, maybe still in OME's list
};

}  // namespace ovs::gateway
