#pragma once
// Percent-encoding and base64 helpers shared by the OME path builder, the URL
// builder and the webhook parser. RFC 3986 rules; no '+'-as-space.

#include <optional>
#include <string>
#include <string_view>

namespace ovs::gateway {

// Encodes every byte outside the RFC 3986 unreserved set (A-Z a-z 0-9 - . _ ~)
// as %XX (upper-case hex). Safe for a path segment and for a query value.
std::string percent_encode(std::string_view text);

// Decodes %XX sequences. A '%' not followed by two hex digits is an error
// (nullopt): such input is not a URL we produced or OME would accept.
std::optional<std::string> percent_decode(std::string_view text);

// Standard base64 (RFC 4648 alphabet, with '=' padding).
std::string base64_encode(std::string_view bytes);

// base64url (RFC 4648 §5: '-' and '_') without '=' padding.
std::string base64url_encode_nopad(std::string_view bytes);

// Adds [] around an IPv6 literal (any host containing ':' that is not already
// bracketed), so it can be followed by ":port" in a URL.
std::string url_host(std::string_view host);

}  // namespace ovs::gateway
