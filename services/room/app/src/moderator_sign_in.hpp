#pragma once
// One connection's moderator sign-in (proto/websocket.md "Moderation"): the
// offered secret is compared in constant time, and a connection gets a few
// wrong tries, then only rate_limited until it reconnects. Pure: no I/O, no
// logging (the viewer logs who tried, never the secret).

#include <string_view>

namespace ovs::room {

// Compares a secret without an early exit, so the time taken does not tell
// how much of a guess was right. An empty `expected` never matches.
bool same_secret(std::string_view offered, std::string_view expected);

class moderator_sign_in {
public:
    static constexpr unsigned max_failures = 5;

    enum class outcome { signed_in, disabled, rate_limited, bad_secret };

    // `configured` is the server's moderator secret (empty: moderation off).
    outcome attempt(std::string_view configured, std::string_view offered);
    bool signed_in() const { return signed_in_; }

private:
    bool signed_in_ = false;
    unsigned failures_ = 0;
};

}  // namespace ovs::room
