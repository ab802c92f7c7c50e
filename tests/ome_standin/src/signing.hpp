#pragma once
// Small crypto/encoding helpers of the stand-in's own (not shared with the
// gateway): OME's X-OME-Signature and the Basic credential decoding.

#include <optional>
#include <string>
#include <string_view>

namespace ovs::ome_standin {

// base64url without '=' padding of HMAC-SHA1(key, message): X-OME-Signature.
std::string ome_signature(std::string_view secret, std::string_view body);

std::string base64_encode(std::string_view bytes);  // standard alphabet, padded
// Standard alphabet; padding optional. nullopt on a character outside it.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace ovs::ome_standin
