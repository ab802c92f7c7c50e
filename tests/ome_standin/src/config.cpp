#include <ovs/ome_standin/config.hpp>

namespace ovs::ome_standin {

std::optional<ome_version> parse_ome_version(std::string const& text)
{
    // "0.20" or "0.20.3": only major.minor matters to the stand-in.
    std::string const major_minor = text.size() > 4 && text[4] == '.' ? text.substr(0, 4) : text;
    if (major_minor == "0.15") return ome_version::v0_15;
    if (major_minor == "0.18") return ome_version::v0_18;
    if (major_minor == "0.19") return ome_version::v0_19;
    if (major_minor == "0.20") return ome_version::v0_20;
    if (major_minor == "0.21") return ome_version::v0_21;
    return std::nullopt;
}

std::string version_string(ome_version v)
{
    switch (v) {
        case ome_version::v0_15:
            return "0.15.0";
        case ome_version::v0_18:
            return "0.18.0";
        case ome_version::v0_19:
            return "0.19.0";
        case ome_version::v0_20:
            return "0.20.0";
        case ome_version::v0_21:
            return "0.21.0";
    }
    return "0.20.0";
}

std::optional<ingest_protocol> parse_ingest_protocol(std::string const& text)
{
    if (text == "rtmp") return ingest_protocol::rtmp;
    if (text == "srt") return ingest_protocol::srt;
    if (text == "webrtc") return ingest_protocol::webrtc;
    if (text == "whip") return ingest_protocol::whip;
    return std::nullopt;
}

std::optional<playback_protocol> parse_playback_protocol(std::string const& text)
{
    if (text == "webrtc") return playback_protocol::webrtc;
    if (text == "llhls") return playback_protocol::llhls;
    return std::nullopt;
}

}  // namespace ovs::ome_standin
