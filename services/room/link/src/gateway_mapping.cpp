#include <ovs/room/gateway_mapping.hpp>

namespace ovs::room {

stream_info to_room_stream(const proto::stream_info& s)
{
    stream_info out;
    out.source = (s.source.empty() || s.source == "Unknown") ? "unknown" : s.source;
    if (s.video) {
        out.video_codec = s.video->codec.value_or("");
        out.width = s.video->width.value_or(0);
        out.height = s.video->height.value_or(0);
        out.framerate = s.video->framerate.value_or(0);
    }
    out.bitrate = s.bitrate.value_or(0);
    switch (s.outputs.value_or(proto::outputs_state::ready)) {
        case proto::outputs_state::ready:
            out.outputs = stream_outputs::ready;
            break;
        case proto::outputs_state::starting:
            out.outputs = stream_outputs::starting;
            break;
        case proto::outputs_state::failed:
            out.outputs = stream_outputs::failed;
            break;
    }
    return out;
}

std::map<std::string, stream_info> to_room_streams(const std::vector<proto::stream_info>& list)
{
    std::map<std::string, stream_info> out;
    for (const auto& s : list) out[s.name] = to_room_stream(s);
    return out;
}

std::map<std::string, std::size_t> to_room_viewers(const proto::stream_viewers& v)
{
    std::map<std::string, std::size_t> out;
    for (const auto& [stream, n] : v.counts) out[stream] = static_cast<std::size_t>(n);
    return out;
}

endpoint_templates to_room_endpoints(const proto::endpoints& e)
{
    endpoint_templates t;
    t.playback = {{"webrtc", e.webrtc_play}, {"llhls", e.llhls_play}};
    t.publish = {{"webrtc", e.webrtc_publish},
                 {"whip", e.whip},
                 {"rtmp_server", e.rtmp.server},
                 {"rtmp_key", e.rtmp.key},
                 {"rtmp", e.rtmp.url},
                 {"srt", e.srt.url}};
    for (const auto& edge : e.edges) {
        t.edges.push_back({edge.name, {{"webrtc", edge.webrtc_play}, {"llhls", edge.llhls_play}}});
    }
    return t;
}

media_status to_room_media(const proto::media_status& m)
{
    return media_status{m.reachable, m.stale, m.version.value_or("")};
}

media_status link_down_media(const media_status& last)
{
    return media_status{std::nullopt, true, last.version};
}

std::string admission_reason(const admission& a, config::admission_mode mode)
{
    if (!a.allowed) return a.reason ? to_string(*a.reason) : "refused";
    return mode == config::admission_mode::open ? "open_mode" : "seat_holder";
}

}  // namespace ovs::room
