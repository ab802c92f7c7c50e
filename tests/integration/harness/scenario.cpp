#include "scenario.hpp"

#include "deadline.hpp"

#include <initializer_list>
#include <iostream>
#include <stdexcept>

namespace ovs::integration {

std::string percent_decode(const std::string& text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

namespace {

// The query string after the first '?' of `url` (empty when none).
std::string query_of(const std::string& url)
{
    const auto q = url.find('?');
    return q == std::string::npos ? "" : url.substr(q + 1);
}

// Drops "direction=..." from a WebRTC/WHIP query, keeping the rest.
std::string without_direction(const std::string& query)
{
    std::string out;
    std::size_t start = 0;
    while (start <= query.size()) {
        auto amp = query.find('&', start);
        if (amp == std::string::npos) amp = query.size();
        const std::string pair = query.substr(start, amp - start);
        if (!pair.empty() && pair.rfind("direction=", 0) != 0) {
            if (!out.empty()) out += '&';
            out += pair;
        }
        start = amp + 1;
    }
    return out;
}

}  // namespace

// The URL under `key` of the publish object: a string, or an object with a
// `url` (proto/websocket.md documents rtmp as {server,key,url}).
std::string publish_url(const json& p, std::initializer_list<const char*> keys)
{
    for (const char* key : keys) {
        if (!p.contains(key)) continue;
        const json& v = p[key];
        if (v.is_string()) return v.get<std::string>();
        if (v.is_object() && v.contains("url") && v["url"].is_string()) {
            return v["url"].get<std::string>();
        }
    }
    throw std::runtime_error("publish URLs have no usable " + std::string(*keys.begin()) +
                             " entry: " + p.dump());
}

std::string publish_query(const claimed_seat& claim, ingest protocol)
{
    const json& p = claim.publish;
    switch (protocol) {
        case ingest::rtmp:
            return query_of(publish_url(p, {"rtmp"}));
        case ingest::srt: {
            // srt://h:9999?streamid=default%2Fapp%2FstreamN%3Ftoken%3DT
            const std::string url = publish_url(p, {"srt"});
            const auto at = url.find("streamid=");
            if (at == std::string::npos)
                throw std::runtime_error("SRT URL without streamid: " + url);
            const std::string streamid = percent_decode(url.substr(at + 9));
            return query_of(streamid);
        }
        case ingest::webrtc:
            return without_direction(query_of(publish_url(p, {"webrtc", "webrtc_publish"})));
        case ingest::whip:
            return without_direction(query_of(publish_url(p, {"whip"})));
    }
    return "";
}

std::optional<claimed_seat> claim_seat(browser& b, unsigned seat)
{
    auto reply = b.command(json{{"type", "claim"}, {"seat", seat}});
    if (!reply) {
        std::cerr << "claim of seat " << seat << ": no reply (" << b.error() << ")\n";
        return std::nullopt;
    }
    if (!reply->value("ok", false)) {
        std::cerr << "claim of seat " << seat << " refused: " << reply->dump() << "\n";
        return std::nullopt;
    }
    claimed_seat c;
    c.seat = seat;
    c.reply = *reply;
    c.stream = reply->value("stream", "");
    c.token = reply->value("token", "");
    c.publish = reply->value("publish", json());
    return c;
}

bool wait_polls(cluster& c, int n, std::chrono::milliseconds timeout)
{
    auto polls = [&] {
        return metric_sum(c.gateway_metrics(), "ovs_gateway_poll_duration_seconds_count")
            .value_or(0.0);
    };
    const double start = polls();
    return poll_until([&] { return polls() >= start + n; }, timeout, millis(20));
}

bool seat_live_from(const seat_view& s, const std::string& source)
{
    return s.state == "live" && s.raw.value("source", "") == source;
}

}  // namespace ovs::integration
