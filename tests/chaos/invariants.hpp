#pragma once
// The chaos test's judge: events in, violations out. It knows nothing of
// processes or sockets; the driver (chaos_main.cpp) tells it what viewers
// received, what OME really lists (the stand-in's control port, which
// answers whatever mode its API is in), which seats the actors believe they
// hold, which streams the workload started or stopped, and whether the
// system is whole (both services up and linked, OME's API answering). Times
// are milliseconds since the run began, from the driver's clock.
//
// The invariants (issue 11):
//   1. no seat held by two connections;
//   2. a free seat has no stream in OME for longer than the bound once the
//      system is whole again: neither one a viewer sees free, nor one that
//      no actor holds (a stream nobody may publish, shown live or not);
//   3. a seat a viewer sees broadcasting (starting, live, failed) has a
//      stream in OME, with the same bound;
//   4. a gap (or a step back) in a viewer's `seq` is followed by a resync
//      (a fresh snapshot) within the bound;
//   5. no seat a viewer saw live went down and up again without a real
//      change of its stream (a publish or an end) in between;
//   6. a holder whose seat was broadcasting gets it back with `resume`
//      after a restart (a room restart loses nothing a user can see).

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace ovs::chaos {

using millis_t = std::int64_t;

enum class invariant {
    seat_held_twice = 1,
    free_seat_with_stream = 2,
    broadcasting_seat_without_stream = 3,
    seq_gap_without_resync = 4,
    live_seat_blinked = 5,
    hold_lost_on_restart = 6,
};
const char* invariant_name(invariant which);

struct violation {
    invariant which;
    millis_t at = 0;
    std::string detail;
};

struct checker_bounds {
    // How long a seat may disagree with OME once the system is whole.
    millis_t agreement_ms = 3000;
    // How long after a gap the resync may come.
    millis_t resync_ms = 3000;
    // How long after a seat came back live a stream change reported by the
    // driver may still explain the blink (the driver reports a publish
    // before it makes the call, an encoder's stop likewise, so a small
    // slack covers clock rounding only).
    millis_t change_slack_ms = 250;
};

// One seat in a viewer frame: index and state ("free", "reserved",
// "starting", "live", "failed", "ending", ...).
struct seat_state {
    unsigned seat = 0;
    std::string state;
};

class checker {
public:
    explicit checker(unsigned seat_count, checker_bounds bounds = {});

    // ---- viewers (one id per viewer; it reconnects under the same id)
    void snapshot(int viewer, millis_t at, long long seq, const std::vector<seat_state>& seats);
    void seat_delta(int viewer, millis_t at, long long seq, const seat_state& seat);
    // Another delta with a seq (viewer counts).
    void other_delta(int viewer, millis_t at, long long seq);
    // The viewer's connection ended: its view says nothing until its next
    // snapshot.
    void viewer_closed(int viewer, millis_t at);
    // The frames fed next (until the next call) were read now but sent after
    // `sent_after`: the driver passes the last time its browsers' I/O had
    // drained before its previous read of this viewer. While the driver
    // blocks (a control call, a restart) frames wait in the kernel, so their
    // read time can be late by that long. A blink is explained by a stream
    // change after the live frame was sent, not read.
    void frames_sent_after(int viewer, millis_t sent_after);

    // ---- ground truth and the driver
    // What OME lists right now: stream name -> publisher id.
    void ome_streams(millis_t at, const std::map<std::string, std::uint64_t>& streams);
    // The workload started or ended a stream (publish admitted, encoder
    // stopped), as a stream change that explains a seat going down and up.
    void stream_changed(const std::string& stream, millis_t at);
    // Both services run and are linked and OME's API answers (true), or not.
    void whole(bool is_whole, millis_t at);

    // ---- actors (one id per broadcaster; it keeps its id across reconnects)
    void hold_gained(int actor, unsigned seat, millis_t at);
    void hold_lost(int actor, unsigned seat, millis_t at);
    // The actor's connection dropped: it holds nothing now, but its token
    // does until its resume is answered (the seat is not free meanwhile).
    void hold_suspended(int actor, unsigned seat, millis_t at);
    // The actor asked for its seat back after its connection dropped; it was
    // broadcasting when the connection dropped.
    void resume_refused(int actor, unsigned seat, const std::string& code, millis_t at);

    // An invariant check (after a fault, and at the end): evaluates every
    // invariant at `at` and returns the violations found since the last
    // check. `final_check` also judges what is still pending (blinks and
    // gaps younger than their slack).
    std::vector<violation> check(millis_t at, bool final_check = false);

    std::uint64_t checks_made() const { return checks_; }
    const std::vector<violation>& all_violations() const { return all_; }

    // The name of seat `seat`'s stream; the driver's rooms use this prefix.
    void set_stream_prefix(std::string prefix) { prefix_ = std::move(prefix); }

private:
    struct seat_view {
        std::string state;
        millis_t since = 0;  // when this viewer started seeing that state
    };
    struct viewer_state {
        bool connected = false;
        std::optional<long long> last_seq;
        std::optional<millis_t> gap_at;  // unresolved gap
        std::string gap_detail;
        std::map<unsigned, seat_view> seats;
        std::optional<millis_t> sent_after;  // the frames being fed were sent after this
        // Blink tracking, across connections: last time seen live (read, and
        // sent after), and the first non-live frame after it.
        std::map<unsigned, millis_t> last_live;
        std::map<unsigned, millis_t> live_sent_after;
        std::map<unsigned, millis_t> down_since;
        std::map<unsigned, std::string> down_state;
    };
    struct blink {
        int viewer;
        unsigned seat;
        millis_t last_live;
        millis_t live_sent_after;
        millis_t down;
        millis_t up;
        std::string down_state;
    };
    struct hold {
        int actor;
        millis_t since;
    };

    std::string stream_of(unsigned seat) const { return prefix_ + std::to_string(seat); }
    void apply_seat(int viewer, millis_t at, const seat_state& seat);
    void evaluate(millis_t at);
    void judge_blinks(millis_t at, bool final_check);
    void judge_gaps(millis_t at, bool final_check);
    void judge_holders(millis_t at);
    void add(invariant which, millis_t at, std::string detail);

    unsigned seat_count_;
    checker_bounds bounds_;
    std::string prefix_ = "stream";

    std::map<int, viewer_state> viewers_;
    std::map<std::string, std::uint64_t> listed_;           // stream -> publisher id
    std::map<std::string, millis_t> listed_since_;          // same publisher since
    std::map<std::string, millis_t> unlisted_since_;        // absent since
    std::map<std::string, std::vector<millis_t>> changes_;  // stream -> driver's changes
    bool whole_ = false;
    millis_t whole_since_ = 0;
    std::map<unsigned, std::vector<hold>> holders_;  // seat -> actors that believe they hold it
    std::map<unsigned, std::set<int>> suspended_;    // seat -> actors owing a resume
    std::map<unsigned, millis_t> unheld_since_;      // seat -> nobody's since
    std::vector<blink> blinks_;
    // Disagreements already reported: (invariant, viewer, seat, episode start).
    std::set<std::tuple<int, int, unsigned, millis_t>> reported_;

    std::vector<violation> pending_;
    std::vector<violation> all_;
    std::uint64_t checks_ = 0;
};

}  // namespace ovs::chaos
