#pragma once
// Viewer count of one room with coalesced publication: at most one update per
// interval, none when the count is back at the last published value.
//
// Each update goes to every viewer of the room, so a fixed interval makes a
// join storm cost N updates per interval while N grows: N squared over the
// storm. The interval therefore grows with the room: the configured one, or
// per_viewer for each viewer last announced when that is longer, up to a
// ceiling. A room's counts then cost at most 1 / per_viewer deliveries a
// second plus one per viewer arriving meanwhile: O(N) per interval. Small rooms keep the configured
// interval: a count after a leave comes within it.

#include <chrono>
#include <cstddef>
#include <optional>

namespace ovs::room::detail {

class presence {
public:
    using time_point = std::chrono::steady_clock::time_point;

    // Deliveries of viewer counts per second and room that the adaptive
    // interval allows: 4,000 (about 1 % of a core at a few microseconds each).
    static constexpr std::chrono::microseconds per_viewer{250};
    // The interval never grows past this (a 50,000-viewer room: 10 s).
    static constexpr std::chrono::milliseconds ceiling{10000};

    explicit presence(std::chrono::milliseconds interval) : interval_(interval) {}

    // The interval for a room of `viewers`: the configured one, stretched to
    // per_viewer x viewers, at most the ceiling (or the configured one when
    // that is longer). Pure.
    static std::chrono::microseconds interval_for(std::chrono::milliseconds configured,
                                                  std::size_t viewers);

    std::size_t count() const { return count_; }
    void add(time_point now);
    void remove(time_point now);

    // When flush() will next publish something; empty when nothing is pending.
    std::optional<time_point> due() const;
    // The count to publish now, if an update is pending and due.
    std::optional<std::size_t> flush(time_point now);

private:
    void changed(time_point now);

    std::chrono::milliseconds interval_;
    std::size_t count_ = 0;
    std::size_t sent_ = 0;  // the count browsers were last told (0 before any update)
    std::optional<time_point> sent_at_;
    std::optional<time_point> pending_since_;  // first change not yet published
};

}  // namespace ovs::room::detail
