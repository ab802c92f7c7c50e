#pragma once
// base64 (RFC 4648), on OpenSSL's encoder.

#include <string>
#include <string_view>

namespace ovs::util {

// The standard alphabet, with '=' padding.
std::string base64(std::string_view bytes);
// base64url (RFC 4648 §5: '-' and '_') without padding: tokens in URLs,
// OME's webhook signature.
std::string base64url_nopad(std::string_view bytes);

}  // namespace ovs::util
