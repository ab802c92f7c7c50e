#pragma once
// Where the room model's state lives: the interface the room service's shell
// talks to (docs/store.md). It is space's API, asynchronous where a shared
// store needs a round trip:
//   memory_store (memory_store.hpp): the in-process model (space); every
//     `done` runs before the call returns.
//   redis_store (services/room/store): seats, holds, sequence numbers and
//     viewer totals in Redis, shared by every replica; `done` runs from the
//     io_context once Redis answered.
// Both keep the semantics documented in space.hpp; one test suite runs
// against both (tests/room_core).
//
// Rules for callers:
// - Every `done` runs exactly once. Calls take effect in the order they are
//   made.
// - drain() returns what was produced since the last drain: events (per
//   room in sequence order, with the store's sequence numbers) and kicks
//   (only those this replica must send). A store that receives outputs on its
//   own (another replica's claim) calls the wake-up function; the caller then
//   drains. The wake-up never runs inside a call.
// - Reading (snapshot, room_of, seat_of, ...) is local and immediate; with a
//   shared store it may lag other replicas by the time an event takes.

#include <ovs/room/space.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ovs::room {

template <class T>
using done_fn = std::function<void(T)>;
using done_void = std::function<void()>;

// A seat held by a connection of another replica (shared stores only).
inline constexpr conn_id remote_holder = ~conn_id{0};

class room_store {
public:
    virtual ~room_store() = default;

    // -- browser side
    virtual void join(conn_id c,
                      const std::string& room,
                      time_point now,
                      done_fn<std::optional<refusal>> done) = 0;
    virtual void leave(conn_id c, time_point now, done_void done) = 0;
    virtual void claim(conn_id c,
                       unsigned seat,
                       time_point now,
                       done_fn<result<claim_granted>> done) = 0;
    virtual void release(conn_id c,
                         unsigned seat,
                         time_point now,
                         done_fn<std::optional<refusal>> done) = 0;
    virtual void resume(conn_id c,
                        unsigned seat,
                        const std::string& token,
                        time_point now,
                        done_fn<result<claim_granted>> done) = 0;

    // -- gateway side
    virtual void stream_up(const std::string& stream,
                           const stream_info& info,
                           time_point now,
                           done_void done) = 0;
    virtual void stream_down(const std::string& stream, time_point now, done_void done) = 0;
    virtual void streams_snapshot(const std::map<std::string, stream_info>& streams,
                                  time_point now,
                                  done_void done) = 0;
    virtual void check_admission(const std::string& stream,
                                 const std::string& token,
                                 time_point now,
                                 done_fn<admission> done) = 0;

    // -- moderation (the caller has checked the moderator's credentials)
    virtual void moderator_end(const std::string& room,
                               unsigned seat,
                               time_point now,
                               done_fn<std::optional<refusal>> done) = 0;
    virtual void set_locked(const std::string& room,
                            std::optional<unsigned> seat,
                            bool locked,
                            time_point now,
                            done_fn<std::optional<refusal>> done) = 0;
    // -- per-seat audience (OME's per-stream counts, from the gateway's poll)
    virtual void stream_viewers(const std::map<std::string, std::size_t>& counts,
                                time_point now,
                                done_void done) = 0;

    // -- time
    virtual void tick(time_point now, done_void done) = 0;
    virtual std::optional<time_point> next_deadline() const = 0;

    // -- reading (local)
    virtual outputs drain() = 0;
    virtual std::optional<room_snapshot> snapshot(const std::string& room) const = 0;
    virtual std::vector<std::string> room_ids() const = 0;
    virtual std::optional<std::string> room_of(conn_id c) const = 0;
    virtual std::optional<unsigned> seat_of(conn_id c) const = 0;
    virtual std::size_t seats_in_state(seat_state s) const = 0;

    // -- health: can seats change right now? (memory: always)
    virtual bool available() const = 0;
    virtual void set_wakeup(std::function<void()> wake) = 0;
};

}  // namespace ovs::room
