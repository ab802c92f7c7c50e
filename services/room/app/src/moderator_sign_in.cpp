#include "moderator_sign_in.hpp"

namespace ovs::room {

bool same_secret(std::string_view offered, std::string_view expected)
{
    if (expected.empty()) return false;
    // Every byte of the offer is looked at whatever its length, so the time
    // depends on the offer only.
    unsigned char diff = offered.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < offered.size(); ++i) {
        diff |= static_cast<unsigned char>(offered[i] ^ expected[i % expected.size()]);
    }
    return diff == 0;
}

moderator_sign_in::outcome moderator_sign_in::attempt(std::string_view configured,
                                                      std::string_view offered)
{
    if (configured.empty()) return outcome::disabled;
    if (failures_ >= max_failures) return outcome::rate_limited;
    if (!same_secret(offered, configured)) {
        ++failures_;
        return outcome::bad_secret;
    }
    signed_in_ = true;
    return outcome::signed_in;
}

}  // namespace ovs::room
