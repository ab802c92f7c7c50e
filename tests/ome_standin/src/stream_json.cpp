#include "stream_json.hpp"

#include <string>

namespace ovs::ome_standin {
namespace {

using json = nlohmann::json;

// OME keeps these as float and jsoncpp prints the widened double, which is
// why the recordings show 30.097087860107422.
double as_float(double v)
{
    return static_cast<double>(static_cast<float>(v));
}

// Small deterministic wobble so "latest" differs from "avg" as on a real OME.
std::int64_t wobble(std::int64_t base, std::int64_t elapsed_ms)
{
    return base + (elapsed_ms % 997) * base / 40000 - base / 80;
}

struct track_context {
    publisher const& p;
    std::int64_t elapsed_ms;
    bool conf_from_metadata;  // RTMP carries bitrate/framerate in its metadata
};

json video_fields(track_context const& c, bool bypass)
{
    auto const& m = c.p.media;
    double const gop = m.framerate;  // one key frame per second
    double const fps_latest = m.framerate * (1.0 + static_cast<double>(c.elapsed_ms % 7) / 1000.0);
    return json{
        {"bitrate", m.video_bitrate},
        {"bitrateAvg", m.video_bitrate},
        {"bitrateConf", 0},
        {"bitrateLatest", wobble(m.video_bitrate, c.elapsed_ms)},
        {"bypass", bypass},
        {"codec", m.video_codec},
        {"deltaFramesSinceLastKeyFrame",
         static_cast<std::int64_t>(static_cast<double>(c.elapsed_ms) * m.framerate / 1000.0) %
             static_cast<std::int64_t>(gop > 1 ? gop : 1)},
        {"framerate", as_float(m.framerate)},
        {"framerateAvg", as_float(m.framerate)},
        {"framerateConf", c.conf_from_metadata ? as_float(m.framerate) : 0.0},
        {"framerateLatest", as_float(fps_latest)},
        {"hasBframes", false},
        {"height", m.height},
        {"keyFrameInterval", as_float(gop)},
        {"keyFrameIntervalAvg", as_float(gop)},
        {"keyFrameIntervalConf", 0.0},
        {"keyFrameIntervalLatest", as_float(gop)},
        {"width", m.width}};
}

json input_audio_fields(track_context const& c)
{
    auto const& m = c.p.media;
    std::int64_t const measured = wobble(m.audio_bitrate, c.elapsed_ms / 3);
    return json{{"bitrate", c.conf_from_metadata ? m.audio_bitrate : measured},
                {"bitrateAvg", measured},
                {"bitrateConf", c.conf_from_metadata ? m.audio_bitrate : 0},
                {"bitrateLatest", wobble(m.audio_bitrate, c.elapsed_ms)},
                {"bypass", false},
                {"channel", m.channels},
                {"codec", m.audio_codec},
                {"samplerate", m.samplerate}};
}

// The app's output profile of the recordings: bypass_video, aac_audio and
// opus_audio (each audio passes through when the input already has it).
json output_audio_fields(track_context const& c, std::string const& codec)
{
    auto const& m = c.p.media;
    bool const bypass = m.audio_codec == codec;
    if (bypass) {
        return json{{"bitrate", 128000},
                    {"bitrateAvg", wobble(m.audio_bitrate, c.elapsed_ms / 3)},
                    {"bitrateConf", 128000},
                    {"bitrateLatest", wobble(m.audio_bitrate, c.elapsed_ms / 2)},
                    {"bypass", true},
                    {"channel", m.channels},
                    {"codec", codec},
                    {"samplerate", m.samplerate}};
    }
    return json{{"bitrate", 128000},
                {"bitrateAvg", 128000},
                {"bitrateConf", 128000},
                {"bitrateLatest", wobble(128000, c.elapsed_ms)},
                {"bypass", false},
                {"channel", 2},
                {"codec", codec},
                {"samplerate", 48000}};
}

json track(int id, std::string const& name, std::string const& type, json fields)
{
    json t{{"id", id}, {"name", name}, {"type", type}};
    if (type == "Video") t["video"] = std::move(fields);
    if (type == "Audio") t["audio"] = std::move(fields);
    return t;
}

json data_track(int id)
{
    return json{{"id", id}, {"name", "Data"}, {"type", "Data"}};
}

json playlist(std::string const& file_name, std::string const& name, std::string const& audio)
{
    return json{
        {"fileName", file_name},
        {"name", name},
        {"options",
         {{"enableTsPackaging", false}, {"hlsChunklistPathDepth", -1}, {"webrtcAutoAbr", false}}},
        {"renditions",
         json::array({{{"audioVariantName", audio},
                       {"name", "default"},
                       {"videoVariantName", "bypass_video"}}})}};
}

std::string source_type(ingest_protocol p)
{
    switch (p) {
        case ingest_protocol::rtmp:
            return "Rtmp";
        case ingest_protocol::srt:
            return "SRT";
        case ingest_protocol::webrtc:
        case ingest_protocol::whip:
            return "WebRTC";
    }
    return "Unknown";
}

// --- version differences (CONTRACT §2.10) -----------------------------------

void add_v021_fields(json& fields, bool is_video, bool is_input, ingest_protocol p)
{
    bool const bypass = fields.value("bypass", false);
    if (is_video) {
        fields["maxWidth"] = fields["width"];
        fields["maxHeight"] = fields["height"];
        fields["maxFramerate"] = fields["framerate"];
        fields["timebase"] = {{"den", p == ingest_protocol::rtmp ? 1000 : 90000}, {"num", 1}};
    } else {
        int den = fields.value("samplerate", 48000);
        if (is_input || bypass)
            den = p == ingest_protocol::rtmp ? 1000 : p == ingest_protocol::srt ? 90000 : den;
        fields["timebase"] = {{"den", den}, {"num", 1}};
    }
    fields["configChangeCount"] = 0;
    if (is_input) {
        fields["codecModule"] = is_video ? "none" : "default";
    } else {
        fields["codecStatus"] = "Ready";
        if (!bypass)
            fields["codecModule"] = fields.value("codec", "") == "OPUS" ? "libopus" : "fdkaac";
    }
}

void apply_track_version(json& t, ome_version v, bool is_input, ingest_protocol p)
{
    for (char const* kind : {"video", "audio"}) {
        if (!t.contains(kind)) continue;
        json& fields = t[kind];
        bool const is_video = std::string(kind) == "video";
        if (v == ome_version::v0_21) {
            add_v021_fields(fields, is_video, is_input, p);
            continue;
        }
        if (v == ome_version::v0_20) continue;
        // <= 0.19: a bypassed track only says so.
        if (fields.value("bypass", false)) {
            fields = json{{"bypass", true}};
            continue;
        }
        if (v == ome_version::v0_19) continue;
        // <= 0.18: bitrates are strings, key-frame intervals integers.
        for (char const* key : {"bitrate", "bitrateAvg", "bitrateConf", "bitrateLatest"}) {
            if (fields.contains(key)) fields[key] = std::to_string(fields[key].get<std::int64_t>());
        }
        for (char const* key : {"keyFrameInterval", "keyFrameIntervalLatest"}) {
            if (fields.contains(key))
                fields[key] = static_cast<std::int64_t>(fields[key].get<double>());
        }
        if (v == ome_version::v0_18) continue;
        // 0.15: none of the 0.16.6 additions.
        for (char const* key : {"bitrateAvg",
                                "bitrateConf",
                                "bitrateLatest",
                                "framerateAvg",
                                "framerateConf",
                                "framerateLatest",
                                "keyFrameInterval",
                                "keyFrameIntervalAvg",
                                "keyFrameIntervalConf",
                                "keyFrameIntervalLatest",
                                "deltaFramesSinceLastKeyFrame",
                                "hasBframes"}) {
            fields.erase(key);
        }
    }
}

}  // namespace

json stream_detail_json(publisher const& p, ome_version version, wall_clock::time_point now)
{
    auto const elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(now - p.created).count();
    track_context const c{p, elapsed > 0 ? elapsed : 0, p.protocol == ingest_protocol::rtmp};

    json input_tracks = json::array();
    json output_tracks = json::array();
    switch (p.protocol) {
        case ingest_protocol::rtmp:
            input_tracks.push_back(track(0, "Video", "Video", video_fields(c, false)));
            input_tracks.push_back(track(1, "Audio", "Audio", input_audio_fields(c)));
            input_tracks.push_back(data_track(2));
            output_tracks.push_back(track(0, "bypass_video", "Video", video_fields(c, true)));
            output_tracks.push_back(track(1, "aac_audio", "Audio", output_audio_fields(c, "AAC")));
            output_tracks.push_back(
                track(2, "opus_audio", "Audio", output_audio_fields(c, "OPUS")));
            output_tracks.push_back(data_track(3));
            break;
        case ingest_protocol::srt:
            // MPEG-TS: track ids are the PIDs, the data track comes first.
            input_tracks.push_back(data_track(1));
            input_tracks.push_back(track(256, "Video", "Video", video_fields(c, false)));
            input_tracks.push_back(track(257, "Audio", "Audio", input_audio_fields(c)));
            output_tracks.push_back(data_track(0));
            output_tracks.push_back(track(1, "bypass_video", "Video", video_fields(c, true)));
            output_tracks.push_back(track(2, "aac_audio", "Audio", output_audio_fields(c, "AAC")));
            output_tracks.push_back(
                track(3, "opus_audio", "Audio", output_audio_fields(c, "OPUS")));
            break;
        case ingest_protocol::webrtc:
        case ingest_protocol::whip:
            input_tracks.push_back(track(0, "Video", "Video", video_fields(c, false)));
            input_tracks.push_back(track(1, "Audio", "Audio", input_audio_fields(c)));
            output_tracks.push_back(track(0, "bypass_video", "Video", video_fields(c, true)));
            output_tracks.push_back(track(1, "aac_audio", "Audio", output_audio_fields(c, "AAC")));
            output_tracks.push_back(
                track(2, "opus_audio", "Audio", output_audio_fields(c, "OPUS")));
            break;
    }
    for (auto& t : input_tracks) apply_track_version(t, version, true, p.protocol);
    for (auto& t : output_tracks) apply_track_version(t, version, false, p.protocol);

    std::string const socket_type = p.protocol == ingest_protocol::srt ? "SRT" : "TCP";
    json input{{"createdTime", ome_iso8601(p.created)},
               {"sourceType", source_type(p.protocol)},
               {"sourceUrl", socket_type + "://" + p.address + ":" + std::to_string(p.port)},
               {"tracks", std::move(input_tracks)}};
    json output{{"name", p.stream}, {"tracks", std::move(output_tracks)}};
    // As OME v0.20.0 did (tests/fixtures/ome-outputs-v0.20.0): no output at
    // all until it makes them; an output without playlists when it never can.
    const bool never = !p.outputs_after.has_value();
    if (!never && now < p.created + *p.outputs_after) {
        return json{{"input", std::move(input)}, {"name", p.stream}, {"outputs", json::array()}};
    }
    if (version != ome_version::v0_15) {
        output["playlists"] =
            never ? json::array()
                  : json::array({playlist("llhls", "llhls_default", "aac_audio"),
                                 playlist("webrtc_default", "webrtc_default", "opus_audio")});
    }
    return json{{"input", std::move(input)},
                {"name", p.stream},
                {"outputs", json::array({std::move(output)})}};
}

json stats_json(traffic_stats const& s, ome_version version)
{
    json connections;
    if (version == ome_version::v0_15) {
        // v0.15.5..v0.16.5 key set.
        for (char const* key : {"webrtc",
                                "lldash",
                                "hls",
                                "llhls",
                                "dash",
                                "ovt",
                                "file",
                                "rtmppush",
                                "mpegtspush",
                                "thumbnail"}) {
            connections[key] = 0;
        }
    } else {
        for (char const* key :
             {"file", "hlsv3", "llhls", "ovt", "push", "srt", "thumbnail", "webrtc"}) {
            connections[key] = 0;
        }
    }
    connections["webrtc"] = s.webrtc_connections;
    connections["llhls"] = s.llhls_connections;
    int const total = s.webrtc_connections + s.llhls_connections;
    auto const last_updated = s.last_recv > s.last_sent ? s.last_recv : s.last_sent;
    return json{{"avgThroughputIn", s.throughput_in},
                {"avgThroughputOut", s.throughput_out},
                {"connections", std::move(connections)},
                {"createdTime", ome_iso8601(s.created)},
                {"lastRecvTime", ome_iso8601(s.last_recv)},
                {"lastSentTime", ome_iso8601(s.last_sent)},
                {"lastThroughputIn", s.throughput_in / 8},
                {"lastThroughputOut", s.throughput_out / 8},
                {"lastUpdatedTime", ome_iso8601(last_updated)},
                {"maxThroughputIn", s.throughput_in + s.throughput_in / 5},
                {"maxThroughputOut", s.throughput_out + s.throughput_out / 5},
                {"maxTotalConnectionTime", ome_iso8601(s.max_connection_time)},
                {"maxTotalConnections", s.max_connections},
                {"totalBytesIn", static_cast<std::int64_t>(s.bytes_in)},
                {"totalBytesOut", static_cast<std::int64_t>(s.bytes_out)},
                {"totalConnections", total}};
}

}  // namespace ovs::ome_standin
