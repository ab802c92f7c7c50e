#pragma once
// Token helpers shared by the token source and the admission check.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ovs::room::detail {

// Compares a secret with a candidate in time that depends only on the
// secret's length (which is public: every token has the same length), so an
// attacker timing admission answers learns nothing about matching prefixes.
bool tokens_equal(std::string_view secret, std::string_view candidate);

}  // namespace ovs::room::detail
