#pragma once
// What one browser's frames cost (proto/websocket.md, "Limits"). Every frame
// pays a token of the connection's bucket before it is read, so a client that
// sends garbage spends the same budget as one that sends commands, and the
// server stops reading for a client that keeps doing it:
//
//   - a frame with a token is read: a command runs, a bad frame (not JSON,
//     not a command, an unknown type, a bad field) gets its error reply;
//   - a frame without a token is read only for its id, and answered
//     `rate_limited` (a browser may click fast; it learns to wait);
//   - a bad frame without a token, or any frame without a token right after
//     a bad one, ends the connection with 1008 (policy violation): nobody
//     with a working page sends a bad frame, let alone faster than the rate.
//     The frame after a bad one is not even read.
//
// Pure: time is an input, so the rule is a table test.

#include "token_bucket.hpp"

namespace ovs::room {

class frame_gate {
public:
    enum class verdict {
        read,       // paid: read it and act on it
        over_rate,  // not paid: read it for its id, answer rate_limited
        close,      // close with 1008 (policy violation); do not read it
    };

    frame_gate(double rate, double burst, token_bucket::time_point now) : bucket_(rate, burst, now)
    {
    }

    // Before the frame is read.
    verdict admit(token_bucket::time_point now)
    {
        paid_ = bucket_.try_take(now);
        if (paid_) return verdict::read;
        return last_bad_ ? verdict::close : verdict::over_rate;
    }

    // Once the frame read after admit() turned out bad (`bad`) or a command.
    verdict judge(bool bad)
    {
        last_bad_ = bad;
        if (!bad) return paid_ ? verdict::read : verdict::over_rate;
        return paid_ ? verdict::read : verdict::close;
    }

private:
    token_bucket bucket_;
    bool paid_ = false;
    bool last_bad_ = false;
};

}  // namespace ovs::room
