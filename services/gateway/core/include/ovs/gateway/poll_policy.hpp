#pragma once
// When to poll OME next, and how OME is doing. Healthy: every
// gateway.poll_interval. Failing: the delay doubles with each consecutive
// failure (interval*2, *4, ...) up to gateway.poll_backoff_max; the first
// success returns to the plain interval. No jitter: there is one gateway.
// The shell reports each poll outcome and publishes status() when
// on_success()/on_failure() say reachability changed.

#include <chrono>
#include <optional>
#include <string>

namespace ovs::gateway {

struct ome_status {
    std::optional<bool> reachable;  // nullopt until the first poll ends
    std::string last_error;         // of the latest failure; kept after recovery
    unsigned consecutive_failures = 0;
    bool operator==(const ome_status&) const = default;
};

class poll_policy {
public:
    using millis = std::chrono::milliseconds;

    // `interval` > 0; a `backoff_max` below `interval` is raised to it.
    poll_policy(millis interval, millis backoff_max);

    // Each returns true when `reachable` changed (including the first result).
    bool on_success();
    bool on_failure(std::string error_text);

    // The wait before the next poll.
    millis next_delay() const;

    const ome_status& status() const { return status_; }

private:
    millis interval_;
    millis backoff_max_;
    ome_status status_;
};

}  // namespace ovs::gateway
