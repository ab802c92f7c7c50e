#pragma once
// Reconnect delays: exponential growth with full jitter, bounded.
//
// Attempt n (0 for the first retry after a connection is lost) waits a delay
// drawn uniformly from [min, ceiling(n)], where ceiling(n) = min * 2^n capped
// at max. The random source is injected, so tests are deterministic.
//
//   backoff_policy b(cfg.link.reconnect_min, cfg.link.reconnect_max);
//   std::mt19937_64 rng(std::random_device{}());
//   auto wait = b.next(rng);   // after each failed or lost connection
//   b.reset();                 // once a connection completed its hello

#include <chrono>
#include <cstdint>
#include <random>

namespace ovs::proto {

class backoff_policy {
public:
    using millis = std::chrono::milliseconds;

    // Throws std::invalid_argument unless 0 < min <= max.
    backoff_policy(millis min, millis max);

    // The largest delay attempt n may draw.
    millis ceiling(unsigned attempt) const;
    // The delay for attempt n given a uniformly random 64-bit value.
    millis delay(unsigned attempt, std::uint64_t random) const;

    // The next delay, advancing the attempt counter.
    template <std::uniform_random_bit_generator Rng>
    millis next(Rng& rng)
    {
        std::uniform_int_distribution<std::uint64_t> dist;
        millis d = delay(attempt_, dist(rng));
        if (attempt_ < max_attempt_exponent) ++attempt_;
        return d;
    }

    void reset() { attempt_ = 0; }
    unsigned attempt() const { return attempt_; }
    millis min() const { return min_; }
    millis max() const { return max_; }

private:
    static constexpr unsigned max_attempt_exponent = 62;

    millis min_;
    millis max_;
    unsigned attempt_ = 0;
};

}  // namespace ovs::proto
