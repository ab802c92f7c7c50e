#pragma once
// Per-connection command rate limit: `rate` tokens per second, bursts up to
// `burst`. Time is passed in, so the rule is testable without a clock.

#include <algorithm>
#include <chrono>

namespace ovs::room {

class token_bucket {
public:
    using time_point = std::chrono::steady_clock::time_point;

    token_bucket(double rate, double burst, time_point now)
        : rate_(rate), burst_(burst), tokens_(burst), last_(now)
    {
    }

    // Takes one token if there is one.
    bool try_take(time_point now)
    {
        std::chrono::duration<double> elapsed = now - last_;
        last_ = now;
        tokens_ = std::min(burst_, tokens_ + std::max(0.0, elapsed.count()) * rate_);
        if (tokens_ < 1.0) return false;
        tokens_ -= 1.0;
        return true;
    }

private:
    double rate_;
    double burst_;
    double tokens_;
    time_point last_;
};

}  // namespace ovs::room
