#pragma once
// Shapes a config string may be required to have. Each rule pairs a check with
// the words used for it in error messages ("expected <what>").

#include <string_view>

namespace ovs::config::detail {

struct text_rule {
    bool (*accepts)(std::string_view text);
    const char* what;  // "a room id of 1 to 32 characters from a-z 0-9 _ -"
};

// Anything, including empty.
extern const text_rule any_text;
// Non-empty, no control characters.
extern const text_rule non_empty_text;
// A host name or IP literal (IPv6 without brackets), non-empty.
extern const text_rule host_text;
// A host name or IP literal, or empty (meaning "use the default").
extern const text_rule optional_host_text;
// A URL path segment OME accepts as a vhost or app name.
extern const text_rule url_segment_text;
// [a-z0-9_-]{1,32}
extern const text_rule room_id_text;
// [A-Za-z0-9_-]{1,48}: seat numbers are appended to it.
extern const text_rule stream_prefix_text;
// Free text shown in the page: at most 100 characters, no control characters.
extern const text_rule title_text;
// "*" or an origin: http(s)://host[:port], no path.
extern const text_rule origin_text;
// Secrets: no control characters (they end up in HTTP headers and HMAC keys);
// may be empty here, the required check comes after the environment.
extern const text_rule secret_text;

bool has_control_chars(std::string_view text);

}  // namespace ovs::config::detail
