#include "http_routes.hpp"

#include <ovs/util/text.hpp>
#include <ovs/util/url.hpp>

#include <algorithm>
#include <cctype>

namespace ovs::room::http_rules {

namespace {

bool ends_with(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "app-3Fa9b2cD" or "app.3fa9b2cd": a trailing part of >= 8 [A-Za-z0-9_]
// characters with at least one digit, after '-' or '.'.
bool looks_hashed(std::string_view stem)
{
    auto cut = stem.find_last_of("-.");
    if (cut == std::string_view::npos) return false;
    auto tail = stem.substr(cut + 1);
    if (tail.size() < 8) return false;
    bool digit = false;
    for (char c : tail) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
        digit = digit || std::isdigit(static_cast<unsigned char>(c));
    }
    return digit;
}

}  // namespace

std::optional<std::string> static_file_for(std::string_view raw_path)
{
    auto decoded = util::percent_decode(raw_path);
    if (!decoded || decoded->empty() || decoded->front() != '/') return std::nullopt;
    const std::string& path = *decoded;
    if (path == "/" || path == "/index.html") return std::string("index.html");
    if (path.rfind("/r/", 0) == 0 && path.find('/', 3) == std::string::npos && path.size() > 3) {
        return std::string("index.html");
    }
    if (path.find('\\') != std::string::npos) return std::nullopt;
    std::string rel = path.substr(1);
    // Every segment must be a plain name.
    std::size_t start = 0;
    while (true) {
        auto slash = rel.find('/', start);
        auto seg = std::string_view(rel).substr(
            start, slash == std::string::npos ? std::string::npos : slash - start);
        if (seg.empty() || seg == "." || seg == "..") return std::nullopt;
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    for (char c : rel) {
        if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
    }
    return rel;
}

std::string_view mime_type(std::string_view file)
{
    struct entry {
        std::string_view ext;
        std::string_view type;
    };
    static constexpr entry table[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".map", "application/json"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };
    for (const auto& e : table) {
        if (ends_with(file, e.ext)) return e.type;
    }
    return "application/octet-stream";
}

std::string_view cache_control(std::string_view file)
{
    constexpr std::string_view immutable = "public, max-age=31536000, immutable";
    if (file == "index.html") return "no-cache";
    if (file.rfind("assets/", 0) == 0) return immutable;
    auto name = file.substr(
        file.find_last_of('/') == std::string_view::npos ? 0 : file.find_last_of('/') + 1);
    auto dot = name.find_last_of('.');
    if (dot != std::string_view::npos && looks_hashed(name.substr(0, dot))) return immutable;
    return "no-cache";
}

bool origin_allowed(std::string_view origin,
                    std::string_view host_header,
                    const std::vector<std::string>& allowed)
{
    if (std::find(allowed.begin(), allowed.end(), "*") != allowed.end()) return true;
    if (!allowed.empty()) {
        return std::find(allowed.begin(), allowed.end(), origin) != allowed.end();
    }
    // Same origin: the origin's authority must equal the Host header.
    auto scheme_end = origin.find("://");
    if (scheme_end == std::string_view::npos || host_header.empty()) return false;
    auto authority = origin.substr(scheme_end + 3);
    if (authority.find('/') != std::string_view::npos) return false;
    return util::iequals(authority, host_header);
}

const char* const placeholder_index = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OvenSpace</title></head>
<body><h1>OvenSpace</h1>
<p>The room service is running, but its web root holds no <code>index.html</code>.
Build the web bundle (<code>web/</code>) and point <code>room.web_root</code> at it.</p>
</body></html>
)";

}  // namespace ovs::room::http_rules
