#pragma once
// Serializes JSON the way OME's jsoncpp StreamWriter does with an empty
// indentation: compact, object keys in byte order, doubles as "%.17g" with a
// ".0" added when they look integral, non-ASCII escaped as lower-case \uXXXX.
// Byte-exact output matters: webhook signatures are computed over these bytes
// and the gateway is judged against what a real OME sends.

#include <nlohmann/json.hpp>

#include <string>

namespace ovs::ome_standin {

std::string write_jsoncpp(nlohmann::json const& value);

// One double the way jsoncpp prints it (exposed for tests).
std::string format_jsoncpp_double(double value);

}  // namespace ovs::ome_standin
