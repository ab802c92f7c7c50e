#pragma once
// The page and its assets from room.web_root: regular files under the root
// only (no traversal, no symlink out of it), streamed from disk, with their
// MIME type and caching policy (http_rules). A missing index.html is
// answered with a built-in page that says how to build the web bundle.

#include <ovs/net/http_types.hpp>

#include <string>
#include <string_view>

namespace ovs::room {

// `path` is the raw request path (percent-encoded).
net::reply static_file(const std::string& web_root, std::string_view path);

// True when `web_root` holds an index.html (the start-up check that warns
// about a web root without a page).
bool has_index(const std::string& web_root);

}  // namespace ovs::room
