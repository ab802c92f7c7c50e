#pragma once
// Every ingest and playback URL of a stream, from ome_config (host, ports,
// TLS flags, vhost, app) and the OME version (which SRT streamid form OME
// accepts). Two forms:
//  - concrete URLs for (stream, token), with the token percent-encoded;
//  - templates with literal "{stream}" and "{token}" placeholders, which the
//    gateway sends to the room service. The room substitutes them verbatim, so
//    it must only substitute URL-safe values (stream names [A-Za-z0-9_-],
//    base64url tokens); the concrete builders have no such limit.
// Every URL carries an explicit port. IPv6 literal hosts get brackets.

#include <ovs/config/config.hpp>
#include <ovs/gateway/ome_api.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ovs::gateway {

// How the SRT streamid is written.
enum class srt_streamid_form {
    path,        // v0.19+: streamid=<vhost>/<app>/<stream>[?query], percent-encoded
    legacy_url,  // <=0.18: streamid=percent-encoded "srt://host:port/<app>/<stream>[?query]"
};

// v0.19 and later accept the path form; older ones only the legacy form.
srt_streamid_form srt_form_for(const ome_version& version);

struct publish_urls {
    std::string webrtc;       // ws[s]://host:port/app/{stream}?direction=send&token=T
    std::string whip;         // http[s]://host:port/app/{stream}?direction=whip&token=T
    std::string rtmp_server;  // rtmp://host:1935/app
    std::string rtmp_key;     // {stream}?token=T
    std::string rtmp_url;     // rtmp_server + "/" + rtmp_key
    std::string srt;          // srt://host:9999?streamid=...
    bool operator==(const publish_urls&) const = default;
};

struct playback_urls {
    std::string webrtc;  // ws[s]://host:port/app/{stream}
    std::string llhls;   // http[s]://host:port/app/{stream}/llhls.m3u8
    bool operator==(const playback_urls&) const = default;
};

inline constexpr std::string_view stream_placeholder = "{stream}";
inline constexpr std::string_view token_placeholder = "{token}";

class url_builder {
public:
    // `version` is what /v1/version said; without it, ome.version (the config
    // hint, e.g. "0.20") is used, and 0.20 when that does not parse either.
    explicit url_builder(const config::ome_config& ome,
                         std::optional<ome_version> version = std::nullopt);

    // Concrete URLs. An empty token leaves the token parameter out.
    publish_urls publish(std::string_view stream, std::string_view token) const;
    playback_urls playback(std::string_view stream) const;

    // Templates with "{stream}" and "{token}" placeholders.
    publish_urls publish_template() const;
    playback_urls playback_template() const;

    srt_streamid_form srt_form() const { return srt_form_; }

private:
    // `stream` and `token` are inserted as given (already encoded or placeholders).
    publish_urls build_publish(const std::string& stream, const std::string& token) const;
    playback_urls build_playback(const std::string& stream) const;
    std::string origin(const char* plain, const char* secure, const config::tls_port& p) const;

    config::ome_config ome_;
    srt_streamid_form srt_form_;
};

}  // namespace ovs::gateway
