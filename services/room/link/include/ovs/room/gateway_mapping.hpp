#pragma once
// Pure translations between the internal protocol (libs/proto) and the room
// service's gateway seam (room_server's on_* methods and check_admission).
// No I/O: gateway_link calls these, and tests call them directly.

#include <ovs/proto/messages.hpp>
#include <ovs/room/room_server.hpp>
#include <ovs/room/space.hpp>

#include <map>
#include <string>
#include <vector>

namespace ovs::room {

// What the room keeps of one OME stream: source, video codec/size, bitrate,
// whether its outputs exist (absent: ready, as before the field existed).
// OME's "Unknown" source (or none) becomes the room's "unknown".
stream_info to_room_stream(const proto::stream_info& s);

// A `streams` snapshot keyed by stream name (a later duplicate name wins).
std::map<std::string, stream_info> to_room_streams(const std::vector<proto::stream_info>& list);

// Viewers per stream from a `stream_viewers` event.
std::map<std::string, std::size_t> to_room_viewers(const proto::stream_viewers& v);

// The gateway's URL templates under the keys room_server serves
// (proto/websocket.md): playback `webrtc`, `llhls`; publish `webrtc`, `whip`,
// `rtmp_server`, `rtmp_key`, `rtmp` (the one-URL form), `srt` (the
// OME >= 0.19 streamid form; the legacy SRT URL is not offered to browsers).
endpoint_templates to_room_endpoints(const proto::endpoints& e);

media_status to_room_media(const proto::media_status& m);

// What browsers see while the link is down: OME's state unknown (not
// "unreachable": the gateway restarting says nothing about OME) and the
// stream list stale, keeping the last version the gateway reported.
media_status link_down_media(const media_status& last);

// The answer to an `admission_check`, given how the room would decide.
//   publish: the room's own admission for (stream, token); the reason is the
//            refusal code (to_string(refusal)), or "seat_holder" (webhook
//            mode) / "open_mode" when allowed.
//   play:    allowed for any stream that belongs to a seat of a configured
//            room, whatever the token (playback is public in OvenSpace; the
//            gateway does not ask for viewers today; reason "playback_open");
//            refused with "unknown_stream" otherwise.
//   anything else: refused with "bad_direction" (fail closed).
// `decide(token)` is the room's check_admission for the request's stream.
template <class Decide>
proto::admission_result answer_admission_check(const proto::admission_check& check,
                                               config::admission_mode mode,
                                               Decide&& decide);

// The same for a room whose decision may come later (a shared store):
// `decide(token, done)` calls done(admission) exactly once; `reply` gets the
// answer exactly once.
template <class Decide, class Reply>
void answer_admission_check_async(const proto::admission_check& check,
                                  config::admission_mode mode,
                                  Decide&& decide,
                                  Reply reply);

// The reason text for an allowed publish / a refusal.
std::string admission_reason(const admission& a, config::admission_mode mode);

template <class Decide>
proto::admission_result answer_admission_check(const proto::admission_check& check,
                                               config::admission_mode mode,
                                               Decide&& decide)
{
    if (check.direction == "publish") {
        const admission a = decide(check.token);
        return {a.allowed, admission_reason(a, mode)};
    }
    if (check.direction == "play") {
        // Any seat stream answers something other than unknown_stream, even
        // with an empty token (no_claim, bad_token, already_live, ...).
        const admission a = decide(std::string());
        if (!a.allowed && a.reason == refusal::unknown_stream) {
            return {false, to_string(refusal::unknown_stream)};
        }
        return {true, "playback_open"};
    }
    return {false, "bad_direction"};
}

template <class Decide, class Reply>
void answer_admission_check_async(const proto::admission_check& check,
                                  config::admission_mode mode,
                                  Decide&& decide,
                                  Reply reply)
{
    if (check.direction == "publish") {
        decide(check.token, [mode, reply](const admission& a) {
            reply(proto::admission_result{a.allowed, admission_reason(a, mode)});
        });
        return;
    }
    if (check.direction == "play") {
        decide(std::string(), [reply](const admission& a) {
            if (!a.allowed && a.reason == refusal::unknown_stream) {
                reply(proto::admission_result{false, to_string(refusal::unknown_stream)});
            } else {
                reply(proto::admission_result{true, "playback_open"});
            }
        });
        return;
    }
    reply(proto::admission_result{false, "bad_direction"});
}

}  // namespace ovs::room
