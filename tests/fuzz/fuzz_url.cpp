// URL and path decoding on both services: the gateway's percent codec,
// stream-URL and query parsing (webhook URLs), and the room's request-target
// rules (static files, query parameters, Origin). A path the room accepts
// never climbs out of the web root.

#include "http_routes.hpp"

#include <ovs/gateway/admission_webhook.hpp>
#include <ovs/gateway/url_codec.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    namespace rules = ovs::room::http_rules;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    if (auto decoded = ovs::gateway::percent_decode(text)) {
        // Encoding what decoded, then decoding again, gives it back.
        auto again = ovs::gateway::percent_decode(ovs::gateway::percent_encode(*decoded));
        if (!again || *again != *decoded) std::abort();
    }
    (void)ovs::gateway::parse_stream_url(text);
    (void)ovs::gateway::query_parameter(text, "token");
    (void)ovs::gateway::url_host(text);

    (void)rules::percent_decode(text);
    (void)rules::query_param(text, "room");
    if (auto file = rules::static_file_for(rules::path_of(text))) {
        const std::string& f = *file;
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
        (void)rules::mime_type(f);
        (void)rules::cache_control(f);
    }
    (void)rules::origin_allowed(text, "space.example.com", {});
    (void)rules::origin_allowed(text, text, {"https://space.example.com"});
    return 0;
}
