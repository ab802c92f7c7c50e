#pragma once
// Whether OME can play each stream yet. OME admits a publisher at once but
// makes the stream's outputs (the playlists viewers play) only when it has
// what they need: about 4 s for a browser's WebRTC, less for RTMP and SRT,
// never when an encoder cannot start. A stream is `starting` from the moment
// the gateway learns of it until a fetch of its details shows an output
// playlist (`ready`); still starting after `timeout`, it is `failed`. Failed
// streams keep being asked about, less often, and turn ready if OME starts
// them after all. Ready is final for as long as the stream exists.
//
// The shell's loop:
//   watch.appeared(name, now)              // admitted, or first seen by a poll
//   for (auto& s : watch.due(now)) fetch details, then
//       watch.probed(s, d.outputs_ready(), now) or watch.probe_failed(s, now)
//   watch.expire(now)                      // starting -> failed
//   sleep until watch.next_deadline()
//   watch.gone(name)                       // the stream went away
// Each state change comes back from probed()/expire() exactly once; tell
// the room service about it.

#include <ovs/proto/messages.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ovs::gateway {

class outputs_watch {
public:
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;
    using millis = std::chrono::milliseconds;

    struct timing {
        millis probe_interval{250};          // while starting (gateway.outputs_probe_interval_ms)
        millis timeout{15000};               // starting -> failed (gateway.outputs_timeout_ms)
        millis failed_probe_interval{1000};  // while failed (the poll interval)
    };

    explicit outputs_watch(timing t);

    // A stream OME has now. New: starting, with a probe due at once.
    // Known: nothing changes (its state stays).
    void appeared(const std::string& stream, time_point now);

    // The streams whose details should be fetched now, in name order. Each
    // is then in flight: not returned again until probed() or
    // probe_failed() is called for it.
    std::vector<std::string> due(time_point now);

    // The fetched details say whether an output playlist exists. Returns the
    // new state when it changed. Unknown streams are ignored.
    std::optional<proto::outputs_state> probed(const std::string& stream,
                                               bool ready,
                                               time_point now);
    // No answer (OME unreachable, an error): asked again after the interval.
    void probe_failed(const std::string& stream, time_point now);

    // Streams starting for `timeout` or longer become failed: each change,
    // in name order.
    std::vector<std::pair<std::string, proto::outputs_state>> expire(time_point now);

    // When due() or expire() next has something to do; nullopt when no
    // stream needs watching (all ready, or none).
    std::optional<time_point> next_deadline() const;

    void gone(const std::string& stream);
    void clear();

    std::optional<proto::outputs_state> state(const std::string& stream) const;
    std::size_t size() const { return streams_.size(); }

private:
    struct entry {
        proto::outputs_state state = proto::outputs_state::starting;
        time_point appeared;
        time_point next_probe;
        bool in_flight = false;
    };
    time_point after_probe(const entry& e, time_point now) const;

    timing timing_;
    std::map<std::string, entry> streams_;
};

}  // namespace ovs::gateway
