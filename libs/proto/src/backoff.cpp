#include <ovs/proto/backoff.hpp>

#include <stdexcept>

namespace ovs::proto {

backoff_policy::backoff_policy(millis min, millis max) : min_(min), max_(max)
{
    if (min.count() <= 0 || max < min)
        throw std::invalid_argument("backoff_policy: need 0 < min <= max");
}

backoff_policy::millis backoff_policy::ceiling(unsigned attempt) const
{
    // Double until the cap; stop early so the shift can never overflow.
    auto ceiling = static_cast<std::uint64_t>(min_.count());
    const auto cap = static_cast<std::uint64_t>(max_.count());
    for (unsigned i = 0; i < attempt && ceiling < cap; ++i) ceiling *= 2;
    return millis(static_cast<millis::rep>(ceiling < cap ? ceiling : cap));
}

backoff_policy::millis backoff_policy::delay(unsigned attempt, std::uint64_t random) const
{
    const auto lo = static_cast<std::uint64_t>(min_.count());
    const auto hi = static_cast<std::uint64_t>(ceiling(attempt).count());
    const std::uint64_t span = hi - lo + 1;  // hi >= lo; span >= 1
    return millis(static_cast<millis::rep>(lo + random % span));
}

}  // namespace ovs::proto
