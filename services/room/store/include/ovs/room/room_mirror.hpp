#pragma once
// One replica's copy of one room as the store last told it: seat records,
// the last applied sequence number and the viewer total. Events are applied
// strictly in sequence order, each once, however they arrive (a script's
// reply and the pub/sub channel both carry them, in either order): an older
// event is a duplicate, a newer one waits for the ones before it. Pure.

#include <ovs/room/store_codec.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace ovs::room::store {

class room_mirror {
public:
    // `max_waiting`: events held while one before them is missing; beyond it
    // the oldest waiting ones are dropped (the caller resyncs from a snapshot).
    explicit room_mirror(unsigned seats, std::size_t max_waiting = 4096);

    // Applies `e` if it is the next event, then any waiting successors, and
    // returns what was applied, in order. Older events are ignored; newer
    // ones wait.
    std::vector<store_event> offer(store_event e);

    // Replaces everything with a snapshot taken at `seq`; waiting events
    // after it are then applied (and returned).
    std::vector<store_event> reset(std::uint64_t seq,
                                   std::size_t viewers,
                                   const std::vector<seat_record>& seats);

    bool waiting() const { return !waiting_.empty(); }
    // The first missing sequence number while events wait.
    std::uint64_t missing_from() const { return seq_ + 1; }
    std::uint64_t seq() const { return seq_; }
    std::size_t viewers() const { return viewers_; }
    const std::vector<seat_record>& seats() const { return seats_; }
    // The earliest lease end of a reserved, held seat.
    std::optional<std::int64_t> earliest_lease() const;

private:
    void apply(const store_event& e);

    std::uint64_t seq_ = 0;
    std::size_t viewers_ = 0;
    std::vector<seat_record> seats_;
    std::map<std::uint64_t, store_event> waiting_;
    std::size_t max_waiting_;
};

}  // namespace ovs::room::store
