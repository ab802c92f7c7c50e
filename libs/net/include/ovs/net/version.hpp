#pragma once
// The version every OvenSpace binary reports (--version, the Server header,
// the link's hello), from the CMake project version.

#include <string>
#include <string_view>

namespace ovs {

inline constexpr std::string_view version = OVS_VERSION;

// The Server header (and link software name) of a service:
// "ovenspace-room/0.1.0".
inline std::string software_name(std::string_view service)
{
    std::string s = "ovenspace-";
    s += service;
    s += '/';
    s += version;
    return s;
}

}  // namespace ovs
