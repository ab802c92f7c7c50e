// URL and path decoding on both services, all of it libs/util's (Boost.URL)
// since the hand-written decoders went: percent coding, request targets,
// query parameters (the room's ?room=, OME's ?token=), absolute URLs (the
// ones in OME's webhooks), and the room's request-target rules (static
// files, Origin). A path the room accepts never climbs out of the web root.

#include "http_routes.hpp"

#include <ovs/gateway/admission_webhook.hpp>
#include <ovs/util/url.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

// Encoding what decoded, then decoding again, gives it back.
void check_round_trip(std::string_view text, bool allow_nul)
{
    namespace util = ovs::util;
    auto decoded = util::percent_decode(text, allow_nul);
    if (!decoded) return;
    if (!allow_nul && decoded->find('\0') != std::string::npos) std::abort();
    auto again = util::percent_decode(util::percent_encode(*decoded), allow_nul);
    if (!again || *again != *decoded) std::abort();
}

// A file the room would serve: relative, no NUL or backslash, and no empty,
// "." or ".." segment.
void check_inside_web_root(const std::string& f)
{
    if (f.empty() || f.front() == '/' || f.find('\0') != std::string::npos ||
        f.find('\\') != std::string::npos)
        std::abort();
    std::string_view rest = f;
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const auto segment = rest.substr(0, slash);
        if (segment.empty() || segment == "." || segment == "..") std::abort();
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    namespace rules = ovs::room::http_rules;
    namespace util = ovs::util;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    check_round_trip(text, false);
    check_round_trip(text, true);
    (void)util::query_param(text, "room");
    (void)util::query_param(text, "token", /*plus_is_space=*/false);
    if (auto url = util::parse_url(text)) {
        // What parsed can be built again, and the result parses.
        if (!util::parse_url(util::make_url(url->scheme, url->host, url->port, url->segments)))
            std::abort();
    }
    (void)util::url_host(text);
    (void)ovs::gateway::parse_stream_url(text);

    const std::string_view path = util::target_path(text);
    if (path.size() > text.size()) std::abort();
    if (auto file = rules::static_file_for(path)) {
        check_inside_web_root(*file);
        (void)rules::mime_type(*file);
        (void)rules::cache_control(*file);
    }
    (void)rules::origin_allowed(text, "space.example.com", {});
    (void)rules::origin_allowed(text, text, {"https://space.example.com"});
    return 0;
}
