#pragma once
// Pure HTTP decisions: which file a URL names (refusing traversal), its MIME
// type and caching policy, the Origin check for /ws. URL decoding is
// libs/util's (Boost.URL). No sockets: the server turns these answers into
// responses.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ovs::room::http_rules {

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
