#pragma once
// Everything the gateway knows about each stream, in one pure model:
//   - what OME's list shows (stream_tracker: each list diffed against the
//     last, one detail fetch per appearance);
//   - which publisher connections the webhooks admitted and closed
//     (admission_ledger);
//   - which kicks are owed to OME (kick_obligations);
//   - what the room has been told (the room view: info as last sent).
// The shell feeds it what it observed, with the time (a list, a stream's
// details, an admission, a closing, a DELETE's answer) and sends the room
// exactly the changes it returns. It keeps no stream state of its own.
//
// When the room hears what:
//   - up: at an admission (at once), or after a list first showed a stream
//     and its details were fetched (so the room always learns its source),
//     and again whenever what it was told changes;
//   - down: when a list no longer shows a stream the room knows, unless a
//     webhook admitted it less than `admission_grace` ago (OME lists a new
//     stream a few hundred ms after its opening); when its last admitted
//     publisher closed; when our DELETE ended it.
// A stream ended by a closing or a DELETE is not brought back by a list
// that still shows it (OME drops it ~0.3 s later): only a list without it,
// or a new admission, lifts that (stream_tracker's suppression).

#include <ovs/gateway/admission_ledger.hpp>
#include <ovs/gateway/kick_obligations.hpp>
#include <ovs/gateway/ome_api.hpp>
#include <ovs/gateway/stream_tracker.hpp>
#include <ovs/proto/messages.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ovs::gateway {

class stream_book {
public:
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;

    // A stream as the room knows it.
    struct known_stream {
        proto::stream_info info;                // as last sent to the room
        std::optional<time_point> admitted_at;  // the latest webhook admission
        time_point appeared;                    // first admitted or listed
        bool outputs_timed = false;             // its wait for outputs was measured
    };

    stream_book(clock::duration admission_grace,
                kick_obligations::millis kick_retry_first,
                kick_obligations::millis kick_retry_max);

    // ---- OME's stream list
    struct list_context {
        time_point asked_at;  // before the request was sent
        time_point now;       // when its answer came
        // OME answers again after a failed poll: every owed kick is due now.
        bool ome_recovered = false;
        // ... and it had answered before that: it may have restarted, so its
        // streams are new ones even where names repeat (details fetched again).
        bool relearn = false;
    };
    struct list_outcome {
        std::vector<proto::stream_info> downs;     // tell the room: stream_down
        std::vector<std::string> kicks_confirmed;  // obligations this list ended
        std::vector<std::string> detail_requests;  // fetch these streams' details
    };
    list_outcome list_seen(const std::vector<std::string>& names, const list_context& list);

    // Still in OME's latest list (a detail fetched meanwhile may be stale).
    bool listed(const std::string& stream) const { return tracker_.is_live(stream); }
    // OME's details of a listed stream: the publisher it names is the
    // stream's (connections recorded for it that OME does not name are
    // stale), and the details are kept.
    void details_seen(stream_details details);

    // OME's details of a listed stream could not be fetched (an error, a
    // timeout). They are asked for again with every list. Meanwhile the room
    // keeps what it was told of a stream it knows (no "unknown" source, no
    // outputs "starting" that would turn a live seat starting), and a stream
    // it does not know stays out of its view, so a gateway that restarts
    // while OME fails its detail fetches tells the room nothing false. After
    // `details_attempts` failed fetches of an unknown stream the room hears
    // of it without details: true, send it now (source "unknown").
    static constexpr unsigned details_attempts = 3;
    bool details_failed(const std::string& stream);
    // Some listed stream is kept from the room while its details are
    // awaited: the room's view is not a whole one yet (a snapshot sent now
    // would take that stream's seat down).
    bool awaiting_details() const;

    // What to send the room (stream_up): news when the room did not know
    // the stream, otherwise a change of what it was told.
    struct room_up {
        proto::stream_info info;
        bool is_new = false;
    };
    // `info` is live: from OME's details (`admitted` false) or an admission.
    // Nothing when the room already has exactly this. WHIP is known only
    // from the webhook (OME's API says WebRTC), so a known WHIP source is kept.
    std::optional<room_up> up(proto::stream_info info, time_point now, bool admitted);

    // ---- webhooks
    // A publisher of `stream` must be refused for now: OME has not answered
    // a DELETE of the old stream yet (the new one would collide with it, or
    // be the one a late DELETE ends).
    bool admission_blocked(const std::string& stream) const
    {
        return kicks_.blocks_admission(stream);
    }
    // An opening allowed: the publisher holds `info.name` now (its kick, if
    // one was owed, is over). Returns the stream_up for the room, if any.
    std::optional<room_up> admitted(const connection_key& who,
                                    proto::stream_info info,
                                    time_point now);
    // A closing from `who` naming `streams`: the stream_down for the room
    // when it was the stream's last admitted publisher.
    std::optional<proto::stream_info> closed(const connection_key& who,
                                             const std::vector<std::string>& streams);

    // ---- kicks
    kick_obligations& kicks() { return kicks_; }
    const kick_obligations& kicks() const { return kicks_; }
    // The publishers a DELETE sent now is about (a publisher admitted while
    // it is under way, a new holder of the seat, is not).
    std::vector<connection_key> publishers(const std::string& stream) const
    {
        return ledger_.connections(stream);
    }
    struct delete_outcome {
        std::optional<proto::stream_info> down;  // tell the room: stream_down
        // OME ended the old publishers, but one admitted since holds the
        // name: its own closing, or a list, decides its end.
        bool held_by_newer = false;
    };
    // OME's answer to a DELETE of `stream` sent when `kicked` were its
    // publishers: `gone` for 2xx or 404, else the failure's text.
    delete_outcome delete_answered(const std::string& stream,
                                   const std::vector<connection_key>& kicked,
                                   bool gone,
                                   std::string error,
                                   time_point now);
    // The seat streams to kick after a restart: known to be in OME, a seat's
    // (`seat_streams`), not in the room's `held` answer, and not admitted
    // since the room was asked (`asked_at`: the publisher holds its seat).
    std::vector<std::string> orphans(const std::set<std::string>& seat_streams,
                                     const std::vector<std::string>& held,
                                     time_point asked_at) const;

    // ---- outputs (is it playable yet; outputs_watch decides)
    // The room's copy of `stream` with `state`: what to send, when it changed.
    std::optional<proto::stream_info> set_outputs(const std::string& stream,
                                                  proto::outputs_state state);
    // The first report of a stream's outputs (ready or failed) since it
    // appeared: seconds it waited. Later reports (a re-check after an OME
    // outage) are no new wait: nothing.
    struct outputs_wait {
        double seconds = 0;
        bool first = false;
    };
    std::optional<outputs_wait> outputs_reported(const std::string& stream, time_point now);

    // ---- what the room knows
    const std::map<std::string, known_stream>& room_view() const { return view_; }
    const known_stream* find(const std::string& stream) const;

private:
    // Removes `stream` from the room's view: the stream_down to send, if the
    // room knew it.
    std::optional<proto::stream_info> forget(const std::string& stream);

    clock::duration admission_grace_;
    stream_tracker tracker_;
    admission_ledger ledger_;
    kick_obligations kicks_;
    std::map<std::string, known_stream> view_;
    // Failed detail fetches of listed streams the room does not know.
    std::map<std::string, unsigned> detail_failures_;
};

}  // namespace ovs::gateway
