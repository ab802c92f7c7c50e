#pragma once
// The room model: every room, seat, lease, publish token and viewer of one
// OvenSpace, as a pure state machine. Inputs are commands from browsers,
// stream events from the gateway and clock ticks, each with `now` passed in;
// outputs are events (for browsers) and effects (for the gateway), collected
// until drain(). No sockets, threads or wall clock: the shell owns those.
//
// Seat life cycle (ON AIR = starting, live or failed: OME has the stream;
// which of the three follows the stream's outputs, see stream_info):
//   free --claim--> reserved --stream_up--> ON AIR
//   reserved --lease expiry / release / holder gone past grace--> free
//   ON AIR(held) --stream_down--> reserved (fresh lease: the encoder may reconnect)
//   ON AIR(held) --release / lease expiry / holder gone past grace / moderator--> ending + kick
//   ending --stream_down (or a snapshot without it)--> free
//   free --stream_up (open mode, or an unclaimed stream)--> ON AIR(unheld)
//   ON AIR(unheld) --stream_down--> free
//   starting --stream_up (outputs ready)--> live; --(outputs failed)--> failed;
//   and back: each stream_up sets the state its outputs say.
//
// Decisions beyond the diagram:
// - ending (issue 11): a held seat released while its stream is on air
//   stays `ending`, unheld and unclaimable (seat_ending), until OME no longer
//   lists the stream; the gateway keeps the kick as an obligation meanwhile,
//   so a new claimer's publisher never collides with the old stream. A
//   stream_up of an ending seat leaves it ending (OME still has the old one).
//   Its stream is what the room still wants ended: the shell resends those
//   kicks on every new gateway link.
// - Every held seat that becomes free kicks its stream ("released",
//   "lease_expired", "holder_gone"), reserved ones too: OME may have admitted
//   the publisher with the token while its stream_up has not arrived yet.
//   The gateway must treat a kick of a stream OME does not have as a no-op.
// - Each input first settles the deadlines that have passed at its `now`
//   (a claim at the instant a lease ends sees a free seat); check_admission
//   treats a hold past its deadline as gone. One exception: a stream of a
//   reserved seat whose holder is here (stream_up, or listed in a snapshot)
//   is applied before the lease is settled: the gateway admitted it while
//   the lease ran, and its news may arrive just after the lease's end.
//   tick() also flushes presence; viewers_changed only ever comes out of
//   tick().
// - A holder that leaves keeps its seat (the view does not change, so no
//   event) until the grace ends; resume() with the token moves the hold to the
//   caller's connection (even from a still-connected holder) and, on a reserved
//   seat, starts a fresh lease. The token stays the same for the whole hold.
// - join() of a connection already in another room moves it (leave + join);
//   a connection id that comes back while its seat is in grace gets the seat
//   back if it rejoins that room, and the seat is freed if it joins another.
//   join(0, ...) is refused with not_joined.
// - Refusal order for claim: not_joined, bad_seat, already_holding,
//   seat_locked, seat_ending, seat_taken; for resume: not_joined, bad_seat, already_holding,
//   bad_token (a free or unheld seat answers bad_token).
// - snapshot().viewers is the current count (it may be ahead of the last
//   viewers_changed); seq is the room's last event number.
// - Moderation (the shell checks who may moderate): moderator_end() frees a
//   held seat at once and kicks its stream ("moderator"); an unheld live seat
//   (open mode) has its stream kicked and goes free when the stream goes
//   down. Either way the seat shows ended_by_moderator until it is claimed or
//   goes live again. A locked seat refuses claim (seat_locked; after
//   already_holding, before seat_taken) and, in open mode, admission; a
//   holder keeps a seat that gets locked (resume and its publisher still
//   work): locking stops new claims, ending stops a broadcast.
// - stream_viewers() sets how many people watch each live seat (OME's
//   per-stream counts, from the gateway's poll); not live means no count.

#include <ovs/config/config.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ovs::room {

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;
using conn_id = std::uint64_t;  // a browser connection; assigned by the shell, never 0

// starting: OME admitted the publisher but cannot be played yet (its outputs
// do not exist); live: viewers can play it; failed: OME has the stream but
// did not start its outputs in time (e.g. an encoder it lacks).
// ending: released while on air; OME still lists the old stream, which the
// gateway is ending; nobody may claim the seat until it is gone.
enum class seat_state { free, reserved, starting, live, failed, ending };

// Whether OME's outputs of a stream (what viewers play) exist.
enum class stream_outputs { ready, starting, failed };

// What the gateway knows of a stream OME has (all optional but the source).
struct stream_info {
    std::string source;  // "WebRTC", "WHIP", "RTMP", "SRT", or "unknown"
    std::string video_codec;
    unsigned width = 0;
    unsigned height = 0;
    std::uint64_t bitrate = 0;  // bits per second, 0 = unknown
    double framerate = 0;       // frames per second, 0 = unknown
    stream_outputs outputs = stream_outputs::ready;
    bool operator==(const stream_info&) const = default;
};

// The seat state a stream with these outputs gives its seat.
seat_state on_air_state(stream_outputs outputs);
// starting, live or failed: OME has the seat's stream.
bool on_air(seat_state s);

struct seat_view {
    unsigned index = 0;
    std::string stream;  // OME stream name, e.g. "stream3"
    seat_state state = seat_state::free;
    conn_id holder = 0;  // 0 = nobody holds it (free, or live from an unclaimed stream)
    std::optional<time_point> lease_expires;  // reserved seats only
    std::optional<stream_info> info;          // on-air seats only
    std::optional<std::size_t> watching;      // on-air seats only, when the gateway counted
    bool locked = false;                      // claims refused (moderator)
    bool ended_by_moderator = false;          // the last broadcast was ended by the moderator
    bool operator==(const seat_view&) const = default;
};

struct room_snapshot {
    std::string id;
    std::string title;
    std::uint64_t seq = 0;  // the last event sequence number of this room
    std::size_t viewers = 0;
    std::vector<seat_view> seats;
};

// Why a command or an admission was refused. Stable codes: they go on the
// wire as snake_case strings (see to_string).
enum class refusal {
    unknown_room,
    room_full,
    not_joined,
    bad_seat,         // no such seat index
    seat_taken,       // reserved or on air already
    already_holding,  // this connection holds another seat
    not_holder,
    bad_token,
    unknown_stream,     // admission: stream name belongs to no seat
    no_claim,           // admission: the seat is not claimed
    already_live,       // admission: the seat's stream is up already (on air)
    seat_locked,        // claim (or open-mode admission) of a seat the moderator locked
    store_unavailable,  // the shared store (Redis) cannot be reached; nothing changed
    seat_ending,        // claim of a seat whose old stream OME has not ended yet
};
const char* to_string(refusal r);

// ---- outputs ---------------------------------------------------------------

struct seat_changed {
    std::string room;
    std::uint64_t seq = 0;
    seat_view seat;
};
struct viewers_changed {
    std::string room;
    std::uint64_t seq = 0;
    std::size_t viewers = 0;
};
using event = std::variant<seat_changed, viewers_changed>;

// Ask the gateway to end a stream in OME.
struct kick_stream {
    std::string stream;
    std::string reason;  // "released", "lease_expired", "holder_gone"
};

struct outputs {
    std::vector<event> events;
    std::vector<kick_stream> kicks;
    // Rooms whose state was reloaded from a snapshot rather than followed
    // event by event (a shared store that lost events): their viewers need a
    // fresh snapshot. The in-memory model never fills it.
    std::vector<std::string> resyncs;
    // Rooms a shared store found lost and started again empty (Redis
    // restarted without persistence): every seat shows free, so what OME
    // has must be applied again (the gateway sends no news of streams that
    // did not change). The in-memory model never fills it.
    std::vector<std::string> reseeded;
};

// ---- results ---------------------------------------------------------------

struct claim_granted {
    unsigned seat = 0;
    std::string stream;
    std::string token;  // URL-safe, >= 128 bits of randomness
    // The reservation's end; for a resumed live seat (no lease running), now + lease.
    time_point lease_expires;
};
template <class T>
using result = std::variant<T, refusal>;

struct admission {
    bool allowed = false;
    std::optional<refusal> reason;  // set when refused
};

struct settings {
    config::admission_mode mode = config::admission_mode::webhook;
    std::chrono::milliseconds lease{30000};
    std::chrono::milliseconds disconnect_grace{5000};
    std::chrono::milliseconds presence_interval{250};
    std::size_t max_viewers_per_room = 20000;
};

// What the room keeps of a publish token: lowercase hex SHA-256. The model
// holds only this (a restart's state file and Redis too), never the token.
std::string token_hash(std::string_view token);

// One seat as a restart must find it again (room.state_file): every seat
// that is held, on air, ending, locked or marked ended. No connection ids
// (they die with the process) and no viewer counts (the next poll has them).
struct kept_seat {
    std::string room;
    unsigned index = 0;
    seat_state state = seat_state::free;
    bool held = false;
    std::string token_hash;                   // held seats only
    std::optional<time_point> lease_expires;  // reserved held seats only
    std::optional<stream_info> info;          // on-air seats only
    bool locked = false;
    bool ended_by_moderator = false;
    bool operator==(const kept_seat&) const = default;
};
struct kept_rooms {
    std::map<std::string, std::uint64_t> seq;  // room id -> last event number
    std::vector<kept_seat> seats;
    bool operator==(const kept_rooms&) const = default;
};

// Holders restored from kept seats get connection ids from here on (the
// shell numbers its connections from 1, far below).
inline constexpr conn_id restored_holder_base = conn_id{1} << 62;

// Produces a fresh random token; injected so tests are deterministic.
using token_source = std::function<std::string()>;
// The production token source: 128 random bits (OS CSPRNG), base64url.
token_source random_tokens();

class space {
public:
    // Stream names must be unique across rooms (checked by the config loader).
    space(const std::vector<config::room_def>& rooms, settings s, token_source tokens);

    // -- browser side; `now` is the caller's steady clock
    std::optional<refusal> join(conn_id c, const std::string& room, time_point now);
    void leave(conn_id c, time_point now);  // also covers a dropped connection
    result<claim_granted> claim(conn_id c, unsigned seat, time_point now);
    std::optional<refusal> release(conn_id c, unsigned seat, time_point now);
    // A reconnecting holder takes its seat back (within the grace period).
    result<claim_granted> resume(conn_id c,
                                 unsigned seat,
                                 const std::string& token,
                                 time_point now);

    // -- gateway side
    void stream_up(const std::string& stream, const stream_info& info, time_point now);
    void stream_down(const std::string& stream, time_point now);
    // The full list of streams OME has: everything not listed goes down.
    void streams_snapshot(const std::map<std::string, stream_info>& streams, time_point now);
    // May `token` publish `stream` now? (webhook mode; open mode allows all
    // streams that belong to a seat)
    admission check_admission(const std::string& stream,
                              const std::string& token,
                              time_point now) const;

    // -- time: expires leases and grace periods, flushes coalesced presence
    void tick(time_point now);
    // -- moderation (the caller has checked the moderator's credentials)
    // Ends the broadcast of a seat; a free seat is left as it is.
    std::optional<refusal> moderator_end(const std::string& room, unsigned seat, time_point now);
    // Locks or unlocks one seat, or every seat of the room (no seat given).
    std::optional<refusal> set_locked(const std::string& room,
                                      std::optional<unsigned> seat,
                                      bool locked,
                                      time_point now);

    // -- per-seat audience: viewers of each stream as OME counts them; streams
    // not in the map keep their count
    void stream_viewers(const std::map<std::string, std::size_t>& counts, time_point now);

    // The earliest time at which tick() has something to do, if any.
    std::optional<time_point> next_deadline() const;

    // -- reading
    outputs drain();  // everything produced since the last drain, in order
    std::optional<room_snapshot> snapshot(const std::string& room) const;
    std::vector<std::string> room_ids() const;
    std::optional<std::string> room_of(conn_id c) const;
    // Seat held by this connection, if any.
    std::optional<unsigned> seat_of(conn_id c) const;
    std::size_t seats_in_state(seat_state s) const;  // over all rooms (metrics)

    // -- restarts (the shell persists and reloads these)
    kept_rooms kept() const;
    // On a fresh model (before any input): puts the kept seats back. Every
    // restored hold belongs to a connection that is gone: its holder has
    // until now + `grace` to resume with its token (the same token: only its
    // hash is kept), like any holder whose connection dropped. Seats of
    // unknown rooms or indexes are skipped; no events, no kicks.
    void restore(const kept_rooms& k, time_point now, std::chrono::milliseconds grace);

private:
    struct impl_state;
    std::shared_ptr<impl_state> state_;
};

const char* to_string(seat_state s);
const char* to_string(stream_outputs o);

}  // namespace ovs::room
