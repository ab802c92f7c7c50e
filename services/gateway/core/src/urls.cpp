#include <ovs/gateway/urls.hpp>
#include <ovs/util/url.hpp>

// The URLs here are templates as well as URLs: their {stream} and {token}
// placeholders are not valid URL characters, so a URL object cannot hold
// them. Each part is encoded by Boost.URL (ovs::util::percent_encode) and the
// parts are joined; the concrete URLs are checked by parsing them back in
// the tests.

namespace ovs::gateway {

srt_streamid_form srt_form_for(const ome_version& version)
{
    ome_version first_path_form;
    first_path_form.minor = 19;
    return version >= first_path_form ? srt_streamid_form::path : srt_streamid_form::legacy_url;
}

namespace {

ome_version pick_version(const config::ome_config& ome, const std::optional<ome_version>& given)
{
    if (given) return *given;
    if (auto hint = parse_version_string(ome.version)) return *hint;
    ome_version fallback;
    fallback.minor = 20;
    return fallback;
}

}  // namespace

url_builder::url_builder(const config::ome_config& ome, std::optional<ome_version> version)
    : ome_(ome), srt_form_(srt_form_for(pick_version(ome, version)))
{
}

std::string url_builder::origin(const char* plain,
                                const char* secure,
                                const config::tls_port& p) const
{
    return std::string(p.tls ? secure : plain) + "://" + util::url_host(ome_.host) + ":" +
           std::to_string(p.port);
}

publish_urls url_builder::build_publish(const std::string& stream, const std::string& token) const
{
    const std::string app = util::percent_encode(ome_.app);
    const std::string token_query = token.empty() ? "" : "token=" + token;
    const std::string rtmp_origin =
        util::url_host(ome_.host) + ":" + std::to_string(ome_.rtmp_port);

    publish_urls u;
    const std::string webrtc_base =
        origin("ws", "wss", ome_.webrtc_provider) + "/" + app + "/" + stream;
    u.webrtc = webrtc_base + "?direction=send" + (token.empty() ? "" : "&" + token_query);
    u.whip = origin("http", "https", ome_.webrtc_provider) + "/" + app + "/" + stream +
             "?direction=whip" + (token.empty() ? "" : "&" + token_query);

    u.rtmp_server = "rtmp://" + rtmp_origin + "/" + app;
    u.rtmp_key = stream + (token.empty() ? "" : "?" + token_query);
    u.rtmp_url = u.rtmp_server + "/" + u.rtmp_key;

    const std::string srt_origin = util::url_host(ome_.host) + ":" + std::to_string(ome_.srt_port);
    const std::string query = token.empty() ? "" : "?" + token_query;
    std::string streamid;
    if (srt_form_ == srt_streamid_form::path) {
        streamid = util::percent_encode(ome_.vhost) + "/" + app + "/" + stream + query;
    } else {
        streamid = "srt://" + srt_origin + "/" + app + "/" + stream + query;
    }
    // The whole streamid is one query value: its '/', '?', '=' and '&' are
    // encoded so SRT clients pass it through intact; OME decodes it once.
    // Template placeholders must stay literal for the room to substitute, so
    // their encoded braces are put back.
    std::string encoded = util::percent_encode(streamid);
    for (std::string_view ph : {stream_placeholder, token_placeholder}) {
        const std::string enc = util::percent_encode(ph);
        for (auto pos = encoded.find(enc); pos != std::string::npos; pos = encoded.find(enc, pos)) {
            encoded.replace(pos, enc.size(), ph);
            pos += ph.size();
        }
    }
    u.srt = "srt://" + srt_origin + "?streamid=" + encoded;
    return u;
}

playback_urls url_builder::build_playback(const std::string& stream) const
{
    const std::string app = util::percent_encode(ome_.app);
    playback_urls u;
    u.webrtc = origin("ws", "wss", ome_.webrtc_publisher) + "/" + app + "/" + stream;
    u.llhls = origin("http", "https", ome_.llhls) + "/" + app + "/" + stream + "/llhls.m3u8";
    return u;
}

publish_urls url_builder::publish(std::string_view stream, std::string_view token) const
{
    // Concrete values are encoded once here; the streamid then encodes the
    // whole value once more, as OME decodes it once before reading the query.
    return build_publish(util::percent_encode(stream), util::percent_encode(token));
}

playback_urls url_builder::playback(std::string_view stream) const
{
    return build_playback(util::percent_encode(stream));
}

publish_urls url_builder::publish_template() const
{
    return build_publish(std::string(stream_placeholder), std::string(token_placeholder));
}

playback_urls url_builder::playback_template() const
{
    return build_playback(std::string(stream_placeholder));
}

}  // namespace ovs::gateway
