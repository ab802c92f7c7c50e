#pragma once
// ASCII case helpers (protocol tokens, header names, host names: never
// locale-dependent).

#include <string>
#include <string_view>

namespace ovs::util {

std::string lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

}  // namespace ovs::util
