#include <ovs/gateway/poll_policy.hpp>

#include <algorithm>

namespace ovs::gateway {

poll_policy::poll_policy(millis interval, millis backoff_max)
    : interval_(std::max(interval, millis{1})), backoff_max_(std::max(backoff_max, interval_))
{
}

bool poll_policy::on_success()
{
    bool changed = status_.reachable != true;
    status_.reachable = true;
    status_.consecutive_failures = 0;
    return changed;
}

bool poll_policy::on_failure(std::string error_text)
{
    bool changed = status_.reachable != false;
    status_.reachable = false;
    status_.last_error = std::move(error_text);
    ++status_.consecutive_failures;
    return changed;
}

poll_policy::millis poll_policy::next_delay() const
{
    millis delay = interval_;
    // Doubling stops at the cap, so there is no overflow however long OME is down.
    for (unsigned i = 0; i < status_.consecutive_failures && delay < backoff_max_; ++i) delay *= 2;
    return std::min(delay, backoff_max_);
}

}  // namespace ovs::gateway
