#include "page_policy.hpp"

#include <ovs/util/url.hpp>

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

namespace ovs::room {

namespace {

// scheme://host[:port] of `url`, when its scheme is one the browser dials
// and its authority holds only host characters (nothing that could end a
// directive: no ';', ',', space or quote).
std::optional<std::string> dialed_origin(std::string_view url)
{
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) return std::nullopt;
    std::string scheme(url.substr(0, sep));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    if (scheme != "ws" && scheme != "wss" && scheme != "http" && scheme != "https") {
        return std::nullopt;
    }
    auto rest = url.substr(sep + 3);
    auto authority = rest.substr(0, rest.find_first_of("/?#"));
    auto host_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
               c == '[' || c == ']' || c == '_';
    };
    if (authority.empty() || !std::all_of(authority.begin(), authority.end(), host_char)) {
        return std::nullopt;
    }
    return scheme + "://" + std::string(authority);
}

std::string origin_of(
    bool tls, const char* plain, const char* secure, const std::string& host, std::uint16_t port)
{
    return std::string(tls ? secure : plain) + "://" + util::url_host(host) + ":" +
           std::to_string(port);
}

std::vector<std::string> sorted(std::set<std::string> origins)
{
    return {origins.begin(), origins.end()};
}

void insert_dialed(std::set<std::string>& out, const std::map<std::string, std::string>& urls)
{
    for (const auto& [key, url] : urls) {
        if (auto origin = dialed_origin(url)) out.insert(*origin);
    }
}

void insert_edges(std::set<std::string>& out, const config::ome_config& ome)
{
    for (const auto& edge : ome.edges) {
        out.insert(origin_of(
            edge.webrtc_publisher.tls, "ws", "wss", edge.host, edge.webrtc_publisher.port));
        out.insert(origin_of(edge.llhls.tls, "http", "https", edge.host, edge.llhls.port));
    }
}

}  // namespace

std::vector<std::string> media_origins(const endpoint_templates& templates)
{
    std::set<std::string> out;
    insert_dialed(out, templates.playback);
    insert_dialed(out, templates.publish);
    for (const auto& edge : templates.edges) insert_dialed(out, edge.playback);
    return sorted(std::move(out));
}

std::vector<std::string> media_origins(const config::ome_config& ome)
{
    std::set<std::string> out;
    const auto& provider = ome.webrtc_provider;
    // WebRTC ingest signalling, and WHIP on the same port.
    out.insert(origin_of(provider.tls, "ws", "wss", ome.host, provider.port));
    out.insert(origin_of(provider.tls, "http", "https", ome.host, provider.port));
    const auto& publisher = ome.webrtc_publisher;
    out.insert(origin_of(publisher.tls, "ws", "wss", ome.host, publisher.port));
    out.insert(origin_of(ome.llhls.tls, "http", "https", ome.host, ome.llhls.port));
    insert_edges(out, ome);
    return sorted(std::move(out));
}

std::vector<std::string> edge_origins(const config::ome_config& ome)
{
    std::set<std::string> out;
    insert_edges(out, ome);
    return sorted(std::move(out));
}

std::vector<std::string> page_media_origins(const endpoint_templates* templates,
                                            const std::vector<std::string>& configured,
                                            const std::vector<std::string>& edges)
{
    if (!templates) return configured;
    auto from_templates = media_origins(*templates);
    std::set<std::string> out(from_templates.begin(), from_templates.end());
    out.insert(edges.begin(), edges.end());
    return sorted(std::move(out));
}

std::string content_security_policy(const std::vector<std::string>& media_origins,
                                    const std::vector<std::string>& frame_ancestors)
{
    std::string connect = "'self'";
    for (const auto& o : media_origins) connect += " " + o;
    std::string ancestors;
    for (const auto& o : frame_ancestors) ancestors += (ancestors.empty() ? "" : " ") + o;
    if (ancestors.empty()) ancestors = "'none'";
    return "default-src 'none'; "
           "script-src 'self'; "
           "style-src 'self' 'unsafe-inline'; "
           "img-src 'self' data:; "
           "font-src 'self' data:; "
           "connect-src " +
           connect +
           "; "
           "media-src 'self' blob:; "
           "worker-src blob:; "
           "manifest-src 'self'; "
           "object-src 'none'; "
           "base-uri 'none'; "
           "form-action 'none'; "
           "frame-ancestors " +
           ancestors;
}

}  // namespace ovs::room
