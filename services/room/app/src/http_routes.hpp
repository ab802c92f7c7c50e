#pragma once
// Pure HTTP decisions: which file a URL names (refusing traversal), its MIME
// type and caching policy, the Origin check for /ws, and small URL helpers.
// No sockets: the server turns these answers into Beast responses.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ovs::room::http_rules {

// Percent-decodes a URL path; nullopt on a malformed escape or a NUL byte.
std::optional<std::string> percent_decode(std::string_view in);

// The path part of a request target (before '?').
std::string_view path_of(std::string_view target);
// The value of `key` in the query string (percent-decoded), if present.
std::optional<std::string> query_param(std::string_view target, std::string_view key);

// Maps a request path to a file path relative to the web root ("index.html",
// "assets/app-1a2b3c4d.js"). `/` and `/r/<id>` name index.html. nullopt
// when the path is unsafe: "..", "." segments, backslashes, empty segments
// ("//etc"), NUL, bad escapes, or a leading character other than '/'.
std::optional<std::string> static_file_for(std::string_view path);

// Content-Type for a file name, by extension.
std::string_view mime_type(std::string_view file);

// Cache-Control: content-hashed assets (under assets/, or a name like
// "app-3Fa9b2cD.js" / "app.3fa9b2cd.js") are immutable for a year; everything
// else, index.html first, must be revalidated.
std::string_view cache_control(std::string_view file);

// May a page from `origin` open the WebSocket? `allowed` empty: only when the
// origin's host[:port] equals the Host header; "*" allows all.
bool origin_allowed(std::string_view origin,
                    std::string_view host_header,
                    const std::vector<std::string>& allowed);

// The page served when web_root has no index.html.
extern const char* const placeholder_index;

}  // namespace ovs::room::http_rules
