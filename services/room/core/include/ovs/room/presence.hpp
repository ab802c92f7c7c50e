#pragma once
// Viewer count of one room with coalesced publication: at most one update per
// interval, none when the count is back at the last published value.

#include <chrono>
#include <cstddef>
#include <optional>

namespace ovs::room::detail {

class presence {
public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit presence(std::chrono::milliseconds interval) : interval_(interval) {}

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
