#pragma once
// The kicks the gateway owes: a kick from the room is an obligation, kept
// until OME's stream list no longer shows the stream, not a message that a
// failed DELETE loses. Pure: the shell passes the time and reports each
// DELETE's answer and each stream list.
//
// One obligation per stream name moves through:
//   owed      a DELETE is to be sent at `next_try` (at once for a new kick)
//   deleting  a DELETE is under way (take_due()/owe() said so)
//   deleted   OME answered 2xx or 404; waiting for a list that confirms it
// It ends (discharged) when
//   - a stream list asked for after the obligation began does not show the
//     stream (OME's list is the judge, whatever the DELETE said);
//   - a new publisher of that stream is admitted after OME answered the
//     DELETE: the name is the new publisher's now; ending it is a new
//     kick's job.
// A DELETE that fails (5xx, timeout, unreachable) is tried again after a
// delay that doubles from `retry_first` to `retry_max`; a list that still
// shows the stream after OME answered its DELETE makes it owed again (a
// "successful" DELETE that did not end it). When OME answers again after an
// outage, everything owed is due at once.
// Until OME has answered a DELETE, a new publisher of that name is refused
// (blocks_admission()): after a failure the old stream is probably still in
// OME and the new one would collide with it, and a DELETE not yet answered
// may still be carried out after the new stream exists, ending it instead
// of the old one (an OME whose API hung holds requests and runs them when it
// recovers; the chaos test saw a held DELETE end the seat's next holder).

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ovs::gateway {

class kick_obligations {
public:
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;
    using millis = std::chrono::milliseconds;

    enum class phase { owed, deleting, deleted };

    struct obligation {
        std::string reason;
        phase state = phase::owed;
        unsigned failures = 0;   // DELETEs that failed (or did not end the stream)
        time_point since;        // when the kick was first owed
        time_point next_try;     // phase owed: when to send the next DELETE
        time_point answered_at;  // phase deleted: when OME answered the DELETE
        std::string last_error;  // of the latest failure
    };

    // `retry_first` > 0; a `retry_max` below it is raised to it.
    kick_obligations(millis retry_first, millis retry_max);

    // The room asks to end `stream`. Returns true when the caller must send
    // a DELETE now (the obligation is then `deleting`): a new kick, or one
    // owed and waiting for its retry (the room asking again is worth a try).
    // False when a DELETE is already under way or answered.
    bool owe(const std::string& stream, std::string reason, time_point now);

    // The streams whose DELETE is due at `now`, in name order; each becomes
    // `deleting`, and the caller sends its DELETE.
    std::vector<std::string> take_due(time_point now);

    // OME's answer to a DELETE of `stream`: `gone` for 2xx or 404, else the
    // failure's text. Ignored when nothing is owed for `stream` any more.
    void delete_answered(const std::string& stream, bool gone, std::string error, time_point now);

    // A stream list that the shell asked for at `asked_at` (before sending
    // the request). Returns the streams whose obligation ended, in name order.
    std::vector<std::string> list_seen(const std::vector<std::string>& names,
                                       time_point asked_at,
                                       time_point now);

    // OME answers again after it did not: retry everything owed now.
    void ome_recovered(time_point now);

    // A publisher of `stream` is about to be admitted. True when that must
    // be refused: no DELETE of the old stream has been answered yet.
    bool blocks_admission(const std::string& stream) const;
    // A publisher of `stream` was admitted: its obligation, if any, ends.
    void admitted(const std::string& stream);

    // When the next owed DELETE is due (the shell's timer), if any.
    std::optional<time_point> next_due() const;

    const obligation* find(const std::string& stream) const;
    std::size_t size() const { return owed_.size(); }
    const std::map<std::string, obligation>& all() const { return owed_; }

private:
    millis retry_delay(unsigned failures) const;

    millis retry_first_;
    millis retry_max_;
    std::map<std::string, obligation> owed_;
};

}  // namespace ovs::gateway
