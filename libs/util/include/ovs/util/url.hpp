#pragma once
// URLs and query strings, on Boost.URL: every URL or request target we parse
// or build goes through here (RFC 3986 rules).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ovs::util {

// Encodes every byte outside the unreserved set (A-Z a-z 0-9 - . _ ~) as %XX:
// safe for a path segment and for a query key or value.
std::string percent_encode(std::string_view text);

// Decodes %XX escapes. nullopt for a malformed escape (a '%' without two hex
// digits) or, with `allow_nul` false, an escape that decodes to a NUL byte.
std::optional<std::string> percent_decode(std::string_view text, bool allow_nul = false);

// The path of a request target or of a URL's path-and-query, still encoded:
// "/ws?room=main" -> "/ws".
std::string_view target_path(std::string_view target);

// The decoded value of the first `key` in the query of `target` (a request
// target "/ws?room=main", or a bare query "room=main&x=1"). A key without
// '=' has the value "". With `plus_is_space`, '+' is a space (form encoding,
// as browsers send it); otherwise a '+' is itself (RFC 3986, OME's URLs).
// nullopt when the key is absent or the query is malformed.
std::optional<std::string> query_param(std::string_view target,
                                       std::string_view key,
                                       bool plus_is_space = true);

// A parsed absolute URL (scheme://host[:port]/path?query), for the URLs OME
// puts in its webhooks and the ones we hand out.
struct url_parts {
    std::string scheme;  // lower case
    std::string host;    // IPv6 without brackets
    std::optional<std::uint16_t> port;
    std::vector<std::string> segments;  // the path's segments, decoded
    std::string query;  // still encoded, without '?'; not checked (query_param decodes)
};
std::optional<url_parts> parse_url(std::string_view text);

// "[::1]" for an IPv6 literal (a host with ':'), the host itself otherwise:
// ready to be followed by ":port".
std::string url_host(std::string_view host);

// Builds "scheme://host[:port]/seg/seg?k=v&k=v" with every segment, key and
// value percent-encoded. Empty `segments` gives the path "/".
std::string make_url(std::string_view scheme,
                     std::string_view host,
                     std::optional<std::uint16_t> port,
                     const std::vector<std::string>& segments,
                     const std::vector<std::pair<std::string, std::string>>& query = {});

}  // namespace ovs::util
